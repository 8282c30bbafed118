import { z } from 'zod';
import type { Settings } from '../../config/settings.js';
import type { ToolDefinition } from '../types.js';
import { decodeEntities } from './html-text.js';

const SEARCH_TIMEOUT_MS = 15_000;
const SNIPPET_CHARS = 300;

export interface SearchEndpoints {
  tavily: string;
  brave: string;
}

export const DEFAULT_ENDPOINTS: SearchEndpoints = {
  tavily: 'https://api.tavily.com/search',
  brave: 'https://api.search.brave.com/res/v1/web/search',
};

interface Result {
  title: string;
  url: string;
  content: string;
}

type Provider = 'tavily' | 'brave';

/**
 * The provider to use: `web_search_provider` when its key is set, else whichever of the two
 * has a key; null when neither has.
 */
export function pickProvider(s: Settings): Provider | null {
  const keyOf = (p: Provider) => (p === 'tavily' ? s.tavily_api_key : s.brave_search_api_key);
  const preferred: Provider = s.web_search_provider === 'brave' ? 'brave' : 'tavily';
  const other: Provider = preferred === 'brave' ? 'tavily' : 'brave';
  if (keyOf(preferred)) return preferred;
  if (keyOf(other)) return other;
  return null;
}

export const NOT_CONFIGURED = 'Web search is not configured: set a Tavily key (POCKETPAW_TAVILY_API_KEY, or "tavily" in Settings → API keys) or a Brave Search key (POCKETPAW_BRAVE_SEARCH_API_KEY, or "brave"), then try again.';

function clean(text: unknown): string {
  return decodeEntities(String(text ?? '').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

async function callJson(url: string, init: RequestInit, provider: string, signal: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(SEARCH_TIMEOUT_MS)]) });
  } catch (err) {
    const e = err as Error;
    throw new Error(e.name === 'TimeoutError' ? `${provider} did not answer in time.` : `Search failed: ${e.message}`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const hint = res.status === 401 || res.status === 403 ? ' (check the API key)' : res.status === 429 ? ' (rate limited; try again later)' : '';
    throw new Error(`${provider} API error: HTTP ${res.status}${hint}`);
  }
  try {
    return await res.json();
  } catch {
    throw new Error(`${provider} answered with something that is not JSON.`);
  }
}

async function searchTavily(endpoint: string, key: string, query: string, n: number, signal: AbortSignal): Promise<Result[]> {
  const data = await callJson(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ api_key: key, query, max_results: n, include_answer: false }),
  }, 'Tavily', signal) as { results?: { title?: string; url?: string; content?: string }[] };
  return (data.results ?? []).map((r) => ({ title: clean(r.title), url: String(r.url ?? ''), content: clean(r.content) }));
}

async function searchBrave(endpoint: string, key: string, query: string, n: number, signal: AbortSignal): Promise<Result[]> {
  const url = new URL(endpoint);
  url.searchParams.set('q', query);
  url.searchParams.set('count', String(n));
  const data = await callJson(url.toString(), {
    headers: { 'x-subscription-token': key, accept: 'application/json' },
  }, 'Brave Search', signal) as { web?: { results?: { title?: string; url?: string; description?: string }[] } };
  return (data.web?.results ?? []).map((r) => ({ title: clean(r.title), url: String(r.url ?? ''), content: clean(r.description) }));
}

const parameters = z.object({
  query: z.string().min(1).describe('The search query'),
  num_results: z.number().int().min(1).max(10).optional().describe('Number of results to return (default: 5, max: 10)'),
});

/**
 * `web_search` (PocketPaw's name and parameters): Tavily or Brave when a key is set, a tool
 * error the model can relay when not. Results are external content (`untrustedOutput`): the
 * registry scans them and wraps them as untrusted data — snippets are text from anywhere on the web.
 */
export function createWebSearchTool(endpoints: SearchEndpoints = DEFAULT_ENDPOINTS): ToolDefinition<typeof parameters> {
  return {
    name: 'web_search',
    description: 'Search the web for current information. Returns a list of results with titles, URLs, and snippets. Useful for answering questions about recent events, looking up documentation, or finding resources.',
    group: 'search',
    trust: 'safe',
    untrustedOutput: true,
    parameters,
    execute: async ({ query, num_results }, ctx) => {
      const s = ctx.settings;
      const provider = pickProvider(s);
      if (!provider) throw new Error(NOT_CONFIGURED);
      const n = Math.min(Math.max(num_results ?? 5, 1), 10);
      const results = provider === 'tavily'
        ? await searchTavily(endpoints.tavily, s.tavily_api_key, query, n, ctx.signal)
        : await searchBrave(endpoints.brave, s.brave_search_api_key, query, n, ctx.signal);
      if (!results.length) return `No results found for: ${query}`;
      const lines = [`Search results for: ${query}\n`];
      results.slice(0, n).forEach((r, i) => {
        const snippet = r.content.length > SNIPPET_CHARS ? `${r.content.slice(0, SNIPPET_CHARS)}…` : r.content;
        lines.push(`${i + 1}. **${r.title || 'Untitled'}**\n   ${r.url}\n   ${snippet}\n`);
      });
      return lines.join('\n');
    },
  };
}
