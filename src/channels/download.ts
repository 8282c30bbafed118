/**
 * Downloads a file a platform sent us, with the platform's credential, never more than
 * `maxBytes`: a declared size over the limit is refused before the body is read, and a body
 * without one is cut off as soon as it passes the limit, so a huge upload cannot fill memory.
 * Every adapter downloads through here; Slack and WhatsApp send a Bearer token with the request.
 */
export class FileTooLargeError extends Error {}

export interface DownloadOptions {
  headers?: Record<string, string>;
  maxBytes: number;
  timeoutMs: number;
  /** Also stops the download (the adapter stopping). */
  signal?: AbortSignal;
}

export async function downloadLimited(url: string, opts: DownloadOptions): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const res = await fetch(url, { headers: opts.headers, signal });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`download failed: HTTP ${res.status}`);
  }
  if (Number(res.headers.get('content-length') ?? 0) > opts.maxBytes) {
    await res.body?.cancel();
    throw new FileTooLargeError(`larger than ${opts.maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > opts.maxBytes) throw new FileTooLargeError(`larger than ${opts.maxBytes} bytes`);
    chunks.push(chunk);
  }
  const joined = Buffer.concat(chunks, size);
  // A plain Uint8Array view over the same bytes (no copy): what InboundFile promises.
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
}

/**
 * Whether `url` may receive our token: the platform's own https hosts, or the origin of the
 * configured API base (a self-hosted proxy, the fake in tests). A file URL comes from an event
 * we trust, but the token is the keys to the bot, so it never goes anywhere else.
 */
export function mayCarryToken(url: string, apiBase: string, trustedHostSuffixes: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  try {
    if (target.origin === new URL(apiBase).origin) return true;
  } catch {
    // a malformed base URL trusts nothing extra
  }
  return target.protocol === 'https:' && trustedHostSuffixes.some((s) => target.hostname === s || target.hostname.endsWith(`.${s}`));
}

/** A note the model reads in place of a file that was not downloaded. */
export function skippedFileNote(name: string, reason: string): string {
  return `[${name}: not downloaded, ${reason}]`;
}
