import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { HttpError } from '../http/errors.js';
import type { MediaStore } from '../media/store.js';
import type { StoredAttachment } from '../media/types.js';
import { checkUrl } from '../tools/web/fetch-page.js';
import { guardedLookup } from '../tools/web/net-guard.js';

export interface DownloadOptions {
  /** `web_fetch_allow_private`: the same SSRF rule as the agent's url_extract. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;
const USER_AGENT = 'PocketPaw-Webhook/0.1 (+https://github.com/pocketpaw/pocketpaw)';

/** The URL as an error message may quote it: short, and without a query that may hold a token. */
function shown(raw: string): string {
  const s = raw.trim().replace(/[?#].*$/, '');
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/**
 * Downloads a webhook's `media_urls` into the media store (spec §3.12, §4.7), one after another
 * so at most one file is in memory. Every URL goes through url_extract's SSRF guard: the literal
 * address is checked, every connection (redirects included) resolves through the guarded lookup,
 * and each redirect target is checked again. A file over `media_max_file_size_mb` is refused, not
 * cut. Any failure removes the files already stored and throws a 400 naming the URL, so a refused
 * request runs nothing and keeps nothing.
 */
export async function downloadMedia(urls: readonly string[], media: MediaStore, opts: DownloadOptions): Promise<StoredAttachment[]> {
  const stored: StoredAttachment[] = [];
  try {
    for (const raw of urls) {
      let file: { bytes: Buffer; name: string; mimeType?: string };
      try {
        file = await fetchFile(raw, media, opts);
      } catch (err) {
        throw new HttpError(400, `Cannot fetch media URL ${shown(raw)}: ${(err as Error).message}`);
      }
      try {
        stored.push(media.save(file.bytes, file.name, file.mimeType));
      } catch (err) {
        throw new HttpError(400, `Cannot store media URL ${shown(raw)}: ${(err as Error).message}`);
      }
    }
    return stored;
  } catch (err) {
    for (const s of stored) fs.rmSync(s.path, { force: true });
    throw err;
  }
}

async function fetchFile(raw: string, media: MediaStore, opts: DownloadOptions): Promise<{ bytes: Buffer; name: string; mimeType?: string }> {
  let url = checkUrl(raw, opts.allowPrivate);
  for (let hop = 0; ; hop++) {
    const res = await getOnce(url, media, opts);
    if ('redirect' in res) {
      if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
      url = checkUrl(new URL(res.redirect, url).toString(), opts.allowPrivate);
      continue;
    }
    return { bytes: res.bytes, name: fileNameOf(url), mimeType: res.mimeType };
  }
}

/** The last path segment, decoded; `file` when there is none. */
function fileNameOf(url: URL): string {
  let last = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // kept encoded
  }
  return path.basename(last) || 'file';
}

type Fetched = { redirect: string } | { bytes: Buffer; mimeType?: string };

function getOnce(url: URL, media: MediaStore, opts: DownloadOptions): Promise<Fetched> {
  const limit = media.maxBytes();
  const name = fileNameOf(url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      lookup: guardedLookup(opts.allowPrivate) as unknown as net.LookupFunction,
      headers: {
        'user-agent': USER_AGENT,
        accept: '*/*',
        // A forwarding header switches the localhost bypass off: with web_fetch_allow_private on,
        // a webhook's URL still cannot read this server's API as its owner.
        via: '1.1 pocketpaw-webhook',
      },
    }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        return resolve({ redirect: res.headers.location });
      }
      if (status < 200 || status >= 300) {
        res.resume();
        return reject(new Error(`the server answered HTTP ${status}`));
      }
      const tooLarge = (bytes: number) => {
        try {
          media.checkSize(name, bytes);
        } catch (err) {
          return err as Error;
        }
        return new Error(`${name} is over the limit (setting media_max_file_size_mb)`);
      };
      const declared = Number(res.headers['content-length']);
      if (declared > limit) {
        req.destroy();
        return reject(tooLarge(declared));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.destroy();
          return reject(tooLarge(size));
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ bytes: Buffer.concat(chunks, size), mimeType: res.headers['content-type']?.split(';')[0]?.trim() }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      const timedOut = err.name === 'AbortError' || err.name === 'TimeoutError';
      reject(timedOut ? new Error('it took too long to download') : err);
    });
    req.end();
  });
}
