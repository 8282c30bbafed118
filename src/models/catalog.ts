import type { Settings } from '../config/settings.js';
import { maskKeys } from './mask-keys.js';
import type { ProviderKind } from './resolver.js';

/**
 * Which models a provider offers (docs/api.md §4.7 "Models"): asked live where the provider can
 * be asked, else the known list of current Anthropic / OpenAI models. Every message here names
 * the provider in plain words and never carries a key.
 */

export const CATALOG_PROVIDERS = ['anthropic', 'openai', 'ollama', 'openai_compatible'] as const satisfies readonly ProviderKind[];

export interface ModelEntry {
  id: string;
  label?: string;
}

export interface ModelList {
  provider: ProviderKind;
  models: ModelEntry[];
  source: 'live' | 'known';
}

/** Where to ask and with which key: the saved settings, or unsaved values laid over them. */
export interface ProviderTarget {
  provider: ProviderKind;
  /** Empty: the provider's public address (Anthropic, OpenAI) or not set (OpenAI-compatible). */
  baseUrl: string;
  apiKey: string;
}

/** A listing failed; `message` is safe to show (provider named, no key, what to do). */
export class ModelListError extends Error {
  constructor(message: string, readonly status?: number, readonly reason: 'auth' | 'unreachable' | 'timeout' | 'http' | 'unreadable' | 'config' = 'http') {
    super(message);
  }
}

export const LIST_TIMEOUT_MS = 5_000;
const MAX_BYTES = 4 * 1024 * 1024;

export const PROVIDER_NAMES: Record<ProviderKind, string> = {
  anthropic: 'Anthropic', openai: 'OpenAI', ollama: 'Ollama', openai_compatible: 'The OpenAI-compatible server',
};

export const DEFAULT_BASE: Record<ProviderKind, string> = {
  anthropic: 'https://api.anthropic.com/v1',
  openai: 'https://api.openai.com/v1',
  ollama: 'http://localhost:11434',
  openai_compatible: '',
};

/** Current Claude models, newest first; used when Anthropic cannot be asked. */
export const KNOWN_ANTHROPIC: ModelEntry[] = [
  { id: 'claude-sonnet-4-6', label: 'Claude Sonnet 4.6' },
  { id: 'claude-opus-4-6', label: 'Claude Opus 4.6' },
  { id: 'claude-haiku-4-5', label: 'Claude Haiku 4.5' },
  { id: 'claude-opus-4-5', label: 'Claude Opus 4.5' },
  { id: 'claude-sonnet-4-5', label: 'Claude Sonnet 4.5' },
];

/** Current OpenAI chat models; used when OpenAI cannot be asked. */
export const KNOWN_OPENAI: ModelEntry[] = [
  { id: 'gpt-5.2', label: 'GPT-5.2' },
  { id: 'gpt-5.1', label: 'GPT-5.1' },
  { id: 'gpt-5-mini', label: 'GPT-5 mini' },
  { id: 'gpt-5-nano', label: 'GPT-5 nano' },
  { id: 'gpt-4.1', label: 'GPT-4.1' },
  { id: 'gpt-4.1-mini', label: 'GPT-4.1 mini' },
  { id: 'gpt-4o', label: 'GPT-4o' },
  { id: 'gpt-4o-mini', label: 'GPT-4o mini' },
  { id: 'o4-mini', label: 'o4-mini' },
  { id: 'o3', label: 'o3' },
];

/** The saved address and key of a provider. */
export function savedTarget(provider: ProviderKind, s: Settings): ProviderTarget {
  switch (provider) {
    case 'anthropic': return { provider, baseUrl: s.anthropic_base_url.trim(), apiKey: s.anthropic_api_key };
    case 'openai': return { provider, baseUrl: s.openai_base_url.trim(), apiKey: s.openai_api_key };
    case 'ollama': return { provider, baseUrl: s.ollama_host.trim(), apiKey: '' };
    case 'openai_compatible': return { provider, baseUrl: s.openai_compatible_base_url.trim(), apiKey: s.openai_compatible_api_key };
  }
}

/** The base URL asked, without a trailing slash (the provider's public one when none is set). */
export function baseOf(t: ProviderTarget): string {
  return (t.baseUrl || DEFAULT_BASE[t.provider]).replace(/\/+$/, '');
}

/** An address fit to show: no user:password, no query (a key could ride there). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(not a URL)';
  }
}

/** An http(s) URL or a reason it is not one (the only schemes a provider is asked over). */
export function checkHttpUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'That address is not a URL. Enter one like http://localhost:8080/v1.';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Only http:// and https:// addresses can be used.';
  if (u.username || u.password) return 'The address cannot hold a user name or password: enter the key in its own field.';
  return null;
}

/** Whether an OpenAI model id is one the chat can use (not embeddings, audio, images, moderation…). */
export function isOpenAIChatModel(id: string): boolean {
  if (!/^(gpt-|o\d|chatgpt-)/.test(id)) return false;
  return !/(embed|tts|whisper|dall-e|audio|realtime|transcribe|image|moderation|search|instruct|davinci|babbage|codex)/.test(id);
}

/** Takes the key (and anything key-shaped) out of a text that came back from a provider. */
export function scrub(text: string, key: string): string {
  return maskKeys(text, key);
}

function headersFor(t: ProviderTarget): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (t.provider === 'anthropic') {
    h['anthropic-version'] = '2023-06-01';
    if (t.apiKey) h['x-api-key'] = t.apiKey;
  } else if (t.apiKey) {
    h.authorization = `Bearer ${t.apiKey}`;
  }
  return h;
}

function listPath(t: ProviderTarget): string {
  if (t.provider === 'ollama') return `${baseOf(t)}/api/tags`;
  // Anthropic's and OpenAI's base URLs end in /v1 (as the AI SDK clients take them).
  return `${baseOf(t)}/models${t.provider === 'anthropic' ? '?limit=1000' : ''}`;
}

/** The upstream's own words for an error body (`{error:{message}}`, `{error}`, `{message}`), short. */
function upstreamDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof parsed.error === 'string' ? parsed.error : typeof parsed.error?.message === 'string' ? parsed.error.message : parsed.message;
    if (typeof m === 'string') return m.slice(0, 300);
  } catch { /* not JSON */ }
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** The plain-words failure of asking `t` over HTTP, by status (a refused key says so without echoing it). */
export function httpFailure(t: ProviderTarget, status: number, body: string): ModelListError {
  const name = PROVIDER_NAMES[t.provider];
  const where = shownUrl(baseOf(t));
  const detail = scrub(upstreamDetail(body), t.apiKey);
  if (status === 401 || status === 403) {
    const msg = t.apiKey
      ? `${name} refused the key (${status}). Check that you copied the whole key, and that it is still active.`
      : `${name} needs an API key (${status}). Enter one and try again.`;
    return new ModelListError(msg, status, 'auth');
  }
  if (status === 404) {
    return new ModelListError(`${name} at ${where} has no model list (404). Check the address${t.provider === 'openai_compatible' ? ' (it usually ends in /v1)' : ''}.`, status, 'http');
  }
  if (status === 429) return new ModelListError(`${name} is rate limiting requests (429). Wait a minute and try again.`, status, 'http');
  if (status === 529 || status === 503) return new ModelListError(`${name} is overloaded right now (${status}). Try again in a minute.`, status, 'http');
  return new ModelListError(`${name} at ${where} answered ${status}${detail ? `: ${detail}` : ''}.`, status, 'http');
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up',
  ECONNRESET: 'the connection was cut',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
};

/** The plain-words failure of not reaching `t` at all. */
export function unreachable(t: ProviderTarget, err: unknown, timeoutMs = LIST_TIMEOUT_MS): ModelListError {
  const where = shownUrl(baseOf(t));
  const name = PROVIDER_NAMES[t.provider];
  if ((err as Error)?.name === 'TimeoutError') {
    return new ModelListError(`${name} at ${where} did not answer within ${Math.round(timeoutMs / 100) / 10} s. Check the address and that the server is up.`, undefined, 'timeout');
  }
  if (t.provider === 'ollama') {
    return new ModelListError(`Ollama is not running at ${where} — start it with \`ollama serve\`, or fix the Ollama address.`, undefined, 'unreachable');
  }
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const why = (cause?.code && NET_ERRORS[cause.code]) ?? cause?.message ?? (err as Error)?.message ?? 'unknown error';
  return new ModelListError(`Could not reach ${name === 'The OpenAI-compatible server' ? 'the OpenAI-compatible server' : name} at ${where} (${scrub(String(why), t.apiKey)}). Check the address and your network.`, undefined, 'unreachable');
}

async function readCapped(res: Response): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > MAX_BYTES) throw new Error('too large');
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseModels(t: ProviderTarget, body: unknown): ModelEntry[] {
  const o = body as { data?: unknown; models?: unknown };
  if (t.provider === 'ollama') {
    if (!Array.isArray(o?.models)) throw new Error('no models array');
    return o.models.flatMap((m: { name?: unknown; model?: unknown }) => {
      const id = typeof m?.name === 'string' ? m.name : typeof m?.model === 'string' ? m.model : '';
      return id ? [{ id }] : [];
    });
  }
  if (!Array.isArray(o?.data)) throw new Error('no data array');
  const entries = o.data.flatMap((m: { id?: unknown; display_name?: unknown }) => {
    if (typeof m?.id !== 'string' || !m.id) return [];
    return [typeof m.display_name === 'string' && m.display_name ? { id: m.id, label: m.display_name } : { id: m.id }];
  });
  if (t.provider === 'openai') return entries.filter((e) => isOpenAIChatModel(e.id)).sort((a, b) => a.id.localeCompare(b.id));
  return entries;
}

/**
 * Asks the provider for its models (at most LIST_TIMEOUT_MS). Throws ModelListError with plain
 * words on any failure. The base URL must already be checked (http/https).
 */
export async function fetchModels(t: ProviderTarget, timeoutMs = LIST_TIMEOUT_MS): Promise<ModelEntry[]> {
  const name = PROVIDER_NAMES[t.provider];
  if (t.provider === 'openai_compatible' && !t.baseUrl) {
    throw new ModelListError('No OpenAI-compatible server URL is set. Enter the server URL (for example http://localhost:8080/v1).', undefined, 'config');
  }
  const bad = checkHttpUrl(baseOf(t));
  if (bad) throw new ModelListError(`${name}: ${bad}`, undefined, 'config');
  let res: Response;
  let text: string;
  try {
    res = await fetch(listPath(t), { headers: headersFor(t), redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    text = await readCapped(res);
  } catch (err) {
    if ((err as Error)?.message === 'too large') throw new ModelListError(`${name} at ${shownUrl(baseOf(t))} sent a model list larger than ${MAX_BYTES / 1024 / 1024} MB.`, undefined, 'unreadable');
    throw unreachable(t, err, timeoutMs);
  }
  if (!res.ok) throw httpFailure(t, res.status, text);
  try {
    return parseModels(t, JSON.parse(text));
  } catch {
    throw new ModelListError(`${name} at ${shownUrl(baseOf(t))} did not answer with a model list. Check that the address points at ${t.provider === 'ollama' ? 'Ollama' : `an ${t.provider === 'anthropic' ? 'Anthropic' : 'OpenAI'}-style API`}.`, undefined, 'unreadable');
  }
}

function known(provider: ProviderKind): ModelEntry[] | null {
  return provider === 'anthropic' ? KNOWN_ANTHROPIC : provider === 'openai' ? KNOWN_OPENAI : null;
}

/**
 * `GET /api/v1/models`: the saved provider's live list; Anthropic and OpenAI fall back to the known
 * list when there is no key or the call fails. Ollama and OpenAI-compatible failures throw.
 */
export async function listModels(provider: ProviderKind, s: Settings, timeoutMs = LIST_TIMEOUT_MS): Promise<ModelList> {
  const t = savedTarget(provider, s);
  const fallback = known(provider);
  if (fallback && !t.apiKey) return { provider, models: fallback, source: 'known' };
  try {
    return { provider, models: await fetchModels(t, timeoutMs), source: 'live' };
  } catch (err) {
    if (fallback && err instanceof ModelListError) return { provider, models: fallback, source: 'known' };
    throw err;
  }
}
