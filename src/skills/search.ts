import { redact } from '../security/redact.js';

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 2 * 1024 * 1024;

export type SearchAnswer = Record<string, unknown>;

const failed = (error: string): SearchAnswer => ({ skills: [], count: 0, error });

/**
 * `GET /api/skills/search` (spec §3.11): the index's JSON for `?q=&limit=` as it answered, as
 * PocketPaw proxies skills.sh; an empty query asks nothing; any failure (unreachable, a non-2xx
 * status, not JSON, too slow) is `{"skills": [], "count": 0, "error": "<why>"}`.
 */
export async function searchSkills(indexUrl: string, q: string, limit: number): Promise<SearchAnswer> {
  if (!q) return { skills: [], count: 0 };
  let url: URL;
  try {
    url = new URL(indexUrl);
  } catch {
    return failed(`skills_index_url is not a URL: ${indexUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed('skills_index_url must be an http(s) URL');
  url.searchParams.set('q', q);
  url.searchParams.set('limit', String(limit));
  const shown = `${url.origin}${url.pathname}`;
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) {
      await res.body?.cancel();
      return failed(`Skills index ${shown} answered HTTP ${res.status}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > MAX_BYTES) return failed(`Skills index ${shown} answered more than ${MAX_BYTES / 1024 / 1024} MB`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return failed(`Skills index ${shown} did not answer JSON`);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return failed(`Skills index ${shown} did not answer a JSON object`);
    return body as SearchAnswer;
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return failed(`Skills index ${shown} did not answer within ${TIMEOUT_MS / 1000} s`);
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    return failed(redact(`Skills index ${shown} unreachable: ${cause}`));
  }
}
