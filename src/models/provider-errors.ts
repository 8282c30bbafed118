import { APICallError, JSONParseError, TypeValidationError } from '@ai-sdk/provider';

/** A provider failure in words a user can act on (never a stack trace). */
export function describeProviderError(err: unknown, provider: string): string {
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    const detail = extractMessage(err.responseBody) ?? err.message;
    if (status === 401 || status === 403) return `The ${provider} API rejected the API key (${status}): ${detail}. Check the key in Settings.`;
    if (status === 429) return `The ${provider} API is rate limiting requests (429): ${detail}. Wait a moment and try again.`;
    if (status && status >= 500) return `The ${provider} API failed (${status}): ${detail}. Try again shortly.`;
    // A 2xx whose body broke off: the answer started, then the connection was lost.
    if (status && status < 300) return `The connection to the ${provider} API broke off in the middle of the answer. Try again.`;
    if (status) return `The ${provider} API answered ${status}: ${detail}`;
    return `Could not reach the ${provider} API: ${detail}`;
  }
  if (JSONParseError.isInstance(err) || TypeValidationError.isInstance(err)) {
    return `The ${provider} API sent a response PocketPaw could not read. Check that the base URL points at a ${provider}-compatible server, then try again.`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `The ${provider} model failed: ${message}`;
}

function extractMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    if (typeof parsed.error === 'string') return parsed.error;
    return parsed.error?.message ?? parsed.message;
  } catch {
    return body.slice(0, 300);
  }
}
