import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { blockedMessage, guardedLookup, isPrivateAddress } from './net-guard.js';

export interface FetchOptions {
  allowPrivate: boolean;
  signal?: AbortSignal;
  /** Decompressed bytes read at most; the rest is dropped and `truncated` set. */
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
}

export interface FetchedPage {
  /** After redirects. */
  url: string;
  status: number;
  contentType: string;
  body: string;
  truncated: boolean;
}

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_REDIRECTS = 5;
const USER_AGENT = 'Mozilla/5.0 (compatible; PocketPaw/0.1; +https://github.com/pocketpaw/pocketpaw)';

/** Throws unless `raw` is an http(s) URL whose literal address (if any) is allowed. */
export function checkUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`Not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Refused: only http and https URLs can be fetched (got ${url.protocol.replace(/:$/, '')}).`);
  }
  if (url.username || url.password) throw new Error('Refused: URLs with credentials are not fetched.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && net.isIP(host) && isPrivateAddress(host)) throw new Error(blockedMessage(url.hostname, host));
  if (!allowPrivate && /^(?:localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host)) {
    throw new Error(blockedMessage(url.hostname, 'a local-network name'));
  }
  return url;
}

/** GET a page: http(s) only, private addresses refused at connect time, redirects re-checked, size and time capped. */
export async function fetchPage(raw: string, opts: FetchOptions): Promise<FetchedPage> {
  const maxRedirects = opts.maxRedirects ?? DEFAULT_REDIRECTS;
  let url = checkUrl(raw, opts.allowPrivate);
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(url, opts);
    if (res.redirect) {
      if (hop >= maxRedirects) throw new Error(`Too many redirects (more than ${maxRedirects}).`);
      url = checkUrl(new URL(res.redirect, url).toString(), opts.allowPrivate);
      continue;
    }
    return res.page!;
  }
}

function requestOnce(url: URL, opts: FetchOptions): Promise<{ redirect?: string; page?: FetchedPage }> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      signal,
      lookup: guardedLookup(opts.allowPrivate) as unknown as net.LookupFunction,
      headers: {
        'user-agent': USER_AGENT,
        accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.8,*/*;q=0.5',
        'accept-encoding': 'gzip, deflate, br',
        // Requests the agent starts are never the owner: a forwarding header switches PocketPaw's
        // localhost bypass off, so even with web_fetch_allow_private the agent cannot call its API.
        via: '1.1 pocketpaw-agent',
      },
    }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        return resolve({ redirect: location });
      }
      if (status < 200 || status >= 300) {
        res.resume();
        return reject(new Error(`The server answered HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}.`));
      }
      const contentType = String(res.headers['content-type'] ?? '');
      let stream: Readable = res;
      const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
      if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip());
      else if (encoding === 'deflate') stream = res.pipe(zlib.createInflate());
      else if (encoding === 'br') stream = res.pipe(zlib.createBrotliDecompress());
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = () => {
        const body = decode(Buffer.concat(chunks), contentType);
        resolve({ page: { url: url.toString(), status, contentType, body, truncated } });
      };
      stream.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBytes - size;
        if (chunk.length >= room) {
          chunks.push(chunk.subarray(0, room));
          size = maxBytes;
          truncated = true;
          req.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.on('end', () => { if (!truncated) finish(); });
      stream.on('error', (err) => { if (!truncated) reject(friendly(err, signal)); });
      res.on('error', (err) => { if (!truncated) reject(friendly(err, signal)); });
    });
    req.on('error', (err) => reject(friendly(err, signal)));
    req.end();
  });
}

function friendly(err: Error, signal: AbortSignal): Error {
  if (signal.aborted) {
    const reason = signal.reason as Error | undefined;
    return new Error(reason?.name === 'TimeoutError' ? 'The page took too long to load.' : 'Stopped.');
  }
  return err;
}

/** Decodes with the charset of the Content-Type (or a `<meta charset>`), UTF-8 otherwise. */
function decode(bytes: Buffer, contentType: string): string {
  let charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (!charset && /html/i.test(contentType)) {
    charset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(bytes.subarray(0, 2048).toString('latin1'))?.[1];
  }
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
