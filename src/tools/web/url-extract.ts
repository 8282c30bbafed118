import { z } from 'zod';
import type { ToolContext, ToolDefinition } from '../types.js';
import { fetchPage } from './fetch-page.js';
import { extractArticle } from './html-text.js';

/** Text of one page the model sees at most (PocketPaw: 50,000; the registry caps the whole result too). */
export const PAGE_CHARS = 40_000;
/** Per page when several URLs are fetched at once. */
const MULTI_PAGE_CHARS = 10_000;
const MAX_URLS = 5;

const parameters = z.object({
  url: z.string().optional().describe('The URL (http or https) of the page to read'),
  urls: z.array(z.string()).max(MAX_URLS).optional().describe(`Several URLs at once (at most ${MAX_URLS}), as PocketPaw's url_extract takes them`),
});

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n\n[Page truncated: ${text.length - max} more characters]` : text;
}

/** One page as text for the model: `# title`, its source, its text — all of it outside data, so scanned as one. */
async function extractOne(url: string, ctx: ToolContext, max: number, heading: (title: string, url: string) => string): Promise<string> {
  const page = await fetchPage(url, { allowPrivate: ctx.settings.web_fetch_allow_private, signal: ctx.signal });
  const type = page.contentType.toLowerCase();
  let title = page.url;
  let text: string;
  if (!type || /html|xml/.test(type)) {
    const parsed = await extractArticle(page.body, page.url);
    title = parsed.title || page.url;
    text = parsed.text;
  } else if (/^text\/|json|javascript|csv|yaml|markdown/.test(type)) {
    text = page.body.trim();
  } else {
    throw new Error(`Unsupported content type "${page.contentType}": url_extract reads web pages and text, not files of this kind.`);
  }
  if (page.truncated) text += '\n\n[Download stopped at the size limit]';
  // Fetched text is outside data: the registry scans it and hands it to the model wrapped as untrusted content.
  return `${heading(title, page.url)}${cut(text || '(no text found on the page)', max)}`;
}

/**
 * `url_extract`: fetch a page and return it as clean text. http/https only; private, loopback
 * and link-local addresses are refused (every resolved address, on every redirect) unless
 * `web_fetch_allow_private` is on. Page text passes the injection scanner and reaches the model
 * wrapped as untrusted data (`untrustedOutput`, applied by the registry).
 */
export const urlExtractTool: ToolDefinition<typeof parameters> = {
  name: 'url_extract',
  description: 'Fetch web pages and return their main text (scripts, styles and navigation removed). Useful for reading articles, documentation, or any publicly accessible URL. Pass `url` (or `urls` for up to 5 pages).',
  group: 'web',
  trust: 'sensitive',
  untrustedOutput: true,
  parameters,
  execute: async ({ url, urls }, ctx) => {
    const list = [...(urls ?? []), ...(url ? [url] : [])].map((u) => u.trim()).filter(Boolean);
    if (!list.length) throw new Error('No URL given: pass `url`.');
    if (list.length > MAX_URLS) throw new Error(`At most ${MAX_URLS} URLs at once.`);
    if (list.length === 1) return extractOne(list[0]!, ctx, PAGE_CHARS, (title, at) => `# ${title}\n\nSource: ${at}\n\n`);
    const parts = await Promise.all(list.map(async (u, i) => {
      try {
        return `${await extractOne(u, ctx, MULTI_PAGE_CHARS, (title, at) => `## ${i + 1}. ${title}\n${at}\n\n`)}\n`;
      } catch (err) {
        return `## ${i + 1}. ${u}\nError: ${(err as Error).message}\n`;
      }
    }));
    return [`Extracted content from ${list.length} URLs:\n`, ...parts].join('\n');
  },
};
