import { APICallError, JSONParseError, TypeValidationError } from '@ai-sdk/provider';
import { RetryError } from 'ai';
import { maskKeys } from './mask-keys.js';
import { OllamaError } from './ollama.js';

const NAMES: Record<string, string> = {
  anthropic: 'Anthropic', openai: 'OpenAI', ollama: 'Ollama', openai_compatible: 'the OpenAI-compatible server',
};

/** A provider id (`openai_compatible`) as a person would say it (`the OpenAI-compatible server`). */
export function providerDisplayName(provider: string): string {
  return NAMES[provider] ?? provider;
}

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/**
 * A provider failure in words a user can act on (never a stack trace, never a key): which provider,
 * what happened, and what to do — a refused key, an unknown model, a rate limit, an overloaded or
 * failing service, an unreachable host, an answer that could not be read.
 */
export function describeProviderError(err: unknown, provider: string): string {
  // After retries the SDK wraps the last failure; that one says what went wrong.
  if (RetryError.isInstance(err) && err.lastError) return describeProviderError(err.lastError, provider);
  const name = providerDisplayName(provider);
  const Name = cap(name);
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    const detail = maskKeys(extractMessage(err.responseBody) ?? err.message);
    const model = modelOf(err.requestBodyValues);
    if (status === 401 || status === 403) {
      return `${Name} rejected the API key (${status}): ${detail}. Check the key in Settings: copy the whole key, and check that it is still active.`;
    }
    const aboutModel = !!model && (detail.includes(model) || /model/i.test(detail));
    if (aboutModel && (status === 404 || (status === 400 && /not.?found|does not exist|unknown|invalid model|not supported|no such/i.test(detail)))) {
      return `${Name} does not know the model "${model}" (${status}): ${detail}. Pick another model in Settings or in the chat's model menu.`;
    }
    if (status === 404) return `${Name} answered 404 at ${shown(err.url)}: ${detail}. Check the base URL in Settings.`;
    if (status === 429) return `${Name} is rate limiting requests (429): ${detail}. Wait a minute and try again, or check the limits of your plan.`;
    if (status === 529 || (status === 503 && /overload/i.test(detail))) return `${Name} is overloaded right now (${status}): ${detail}. Try again in a minute.`;
    if (status && status >= 500) return `${Name} had a server error (${status}): ${detail}. Try again shortly.`;
    // A 2xx whose body broke off: the answer started, then the connection was lost.
    if (status && status < 300) return `The connection to ${name} broke off in the middle of the answer. Try again.`;
    if (status) return `${Name} answered ${status}: ${detail}`;
    return `Could not reach ${name} at ${shown(err.url)}: ${detail}. Check that it is running and the address in Settings${provider === 'anthropic' || provider === 'openai' ? ', and your network' : ''}.`;
  }
  if (JSONParseError.isInstance(err) || TypeValidationError.isInstance(err)) {
    const kind = provider === 'anthropic' ? 'an Anthropic-style' : 'an OpenAI-style';
    return `${Name} sent a response PocketPaw could not read. Check that the base URL points at ${kind} API, then try again.`;
  }
  const message = maskKeys(err instanceof Error ? err.message : String(err));
  if (err instanceof OllamaError) return describeOllama(message);
  if (/overload/i.test(message)) return `${Name} is overloaded right now: ${message}. Try again in a minute.`;
  if (/rate.?limit/i.test(message)) return `${Name} is rate limiting requests: ${message}. Wait a minute and try again.`;
  return `${Name} failed: ${message}`;
}

/** Ollama's own errors (src/models/ollama.ts) already name it; add what to do. */
function describeOllama(message: string): string {
  const trimmed = message.replace(/[.\s]+$/, '');
  if (/^Cannot reach Ollama at /.test(message)) {
    return `${trimmed}. Is Ollama running? Start it with \`ollama serve\`, or fix the Ollama address in Settings.`;
  }
  const missing = /model ["'`]?([^"'`\s,]+)["'`]? not found/i.exec(message);
  if (missing) {
    return `Ollama does not have the model "${missing[1]}". Download it with \`ollama pull ${missing[1]}\`, or pick an installed model in Settings.`;
  }
  if (/^Lost the connection|closed the stream|unreadable/i.test(message)) return `${trimmed}. Try again.`;
  return /^Ollama\b/.test(message) ? `${trimmed}.` : `Ollama failed: ${trimmed}.`;
}

function modelOf(body: unknown): string | undefined {
  const model = (body as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' && model ? model : undefined;
}

/** An address fit to show: scheme, host and path (no user, password or query). */
function shown(url: string | undefined): string {
  if (!url) return 'its address';
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'its address';
  }
}

function extractMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string; message?: string } | string | null;
    if (typeof parsed === 'string') return parsed.slice(0, 300);
    if (!parsed || typeof parsed !== 'object') return body.slice(0, 300);
    if (typeof parsed.error === 'string') return parsed.error;
    return parsed.error?.message ?? parsed.message;
  } catch {
    return body.slice(0, 300);
  }
}
