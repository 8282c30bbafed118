/**
 * The session operations `npm run bench` times against each scale's server (bench/README.md,
 * "The figures"), each with the check that its answer is right, and the checks after them.
 */
import type { RunningServer } from '../src/server/start.js';
import { expect, type BenchClient, type OperationSpec, type TimedResponse } from './http-timing.js';
import type { SeedResult } from './seed.js';
import { shuffled } from './support.js';
import { COMMON_WORD, RARE_CJK, RARE_COUNT, RARE_WORD, prng } from './text.js';

export const WARMUP = 20;
export const MEASURED = 200;
export const DELETE_WARMUP = 10;
export const DELETE_MEASURED = 100;
/** Requests kept in flight by the concurrent write operations (rename_8, delete_8). */
export const INFLIGHT = 8;
export const INFLIGHT_WARMUP = 2;
export const INFLIGHT_MEASURED = 25;
/** Per search operation (all scales together): a slow search is measured fewer times (at least 30) to stay near this. */
export const SEARCH_BUDGET_MS = 20_000;
export const PAGE = 50;
export const SEARCH_LIMIT = 20;

export const OPS = [
  'version', 'list', 'rename', 'history', 'search_rare', 'search_cjk', 'search_common', 'delete', 'rename_8', 'delete_8',
] as const;
export type Op = (typeof OPS)[number];

interface Body {
  [k: string]: unknown;
}
const ok200 = (res: TimedResponse) => expect(res.status === 200, `status ${res.status}, expected 200`);
const asBody = (res: TimedResponse) => res.body as Body;

export interface ScaleUnderTest {
  sessions: number;
  messagesPerSession: number;
  seed: SeedResult;
  server: RunningServer;
  client: BenchClient;
}

/** The operations in OPS order, and `verify`, run after all of them: the writes really happened. */
export function sessionOperations({ sessions, messagesPerSession: MESSAGES_PER_SESSION, seed, server, client }: ScaleUnderTest): {
  specs: OperationSpec[];
  verify: () => Promise<string[]>;
} {
  const rand = prng(7 + sessions);
  const rareSet = new Set(seed.rareSessions);
  const ordinary = shuffled(seed.ids.filter((id) => !rareSet.has(id)), rand);
  // Deleted last; distinct ids kept apart from the rest so every other request hits a live session.
  const deleteWarmup = Math.min(DELETE_WARMUP, Math.floor(ordinary.length / 20));
  const deleteMeasured = Math.min(DELETE_MEASURED, Math.floor(ordinary.length / 4) - deleteWarmup);
  const deleteIds = ordinary.slice(0, deleteWarmup + deleteMeasured);
  const burstsWarmup = Math.min(INFLIGHT_WARMUP, Math.floor(ordinary.length / 40 / INFLIGHT));
  const burstsMeasured = Math.min(INFLIGHT_MEASURED, Math.floor(ordinary.length / 4 / INFLIGHT) - burstsWarmup);
  const delete8Ids = ordinary.slice(deleteIds.length, deleteIds.length + (burstsWarmup + burstsMeasured) * INFLIGHT);
  const live = ordinary.slice(deleteIds.length + delete8Ids.length);
  /** The sessions actually deleted: BENCH_OPS may leave out either delete operation. */
  const deleted: string[] = [];
  const deleteRequest = (id: string) => {
    deleted.push(id);
    return { method: 'DELETE', path: `/api/v1/sessions/${id}` };
  };
  const randomLive = () => live[Math.floor(rand() * live.length)]!;
  const renamed = new Map<string, string>();
  const renameRequest = (i: number) => {
    const id = randomLive();
    const title = `Bench title ${i} ${id.slice(-6)}`;
    renamed.set(id, title);
    return { method: 'POST', path: `/api/v1/sessions/${id}/title`, json: { title } };
  };

  const specs: OperationSpec[] = [
    {
      name: 'version', warmup: WARMUP, measured: MEASURED,
      request: () => ({ method: 'GET', path: '/api/v1/version' }),
      check: (res) => {
        ok200(res);
        expect(typeof asBody(res).version === 'string', 'no version');
      },
    },
    {
      name: 'list', warmup: WARMUP, measured: MEASURED,
      request: () => ({ method: 'GET', path: `/api/v1/sessions?limit=${PAGE}` }),
      check: (res) => {
        ok200(res);
        const body = asBody(res);
        const rows = body.sessions as Array<{ last_activity: string }>;
        expect(Array.isArray(rows) && rows.length === PAGE, `expected ${PAGE} sessions`);
        expect(body.total === sessions, `total ${String(body.total)}, expected ${sessions}`);
        expect(rows.every((r, i) => i === 0 || rows[i - 1]!.last_activity >= r.last_activity), 'not newest first');
      },
    },
    {
      name: 'rename', warmup: WARMUP, measured: MEASURED,
      request: (i) => renameRequest(i),
      check: (res) => {
        ok200(res);
        expect(asBody(res).status === 'ok', 'status is not ok');
      },
    },
    {
      name: 'history', warmup: WARMUP, measured: MEASURED,
      request: () => ({ method: 'GET', path: `/api/v1/sessions/${randomLive()}/history?limit=${PAGE}` }),
      check: (res) => {
        ok200(res);
        const rows = res.body as Array<{ role: string; content: string }>;
        expect(Array.isArray(rows) && rows.length === Math.min(PAGE, MESSAGES_PER_SESSION), `expected ${PAGE} messages`);
        expect(rows.every((m, i) => i === 0 || m.role !== rows[i - 1]!.role), 'roles do not alternate');
        expect(rows.every((m) => typeof m.content === 'string' && m.content.length >= 60), 'bad content');
      },
    },
    {
      name: 'search_rare', warmup: WARMUP, measured: MEASURED, budgetMs: SEARCH_BUDGET_MS,
      request: () => ({ method: 'GET', path: `/api/v1/sessions/search?q=${RARE_WORD}&limit=${SEARCH_LIMIT}` }),
      check: (res) => {
        ok200(res);
        const hits = asBody(res).sessions as Array<{ id: string; match: string }>;
        expect(Array.isArray(hits), 'no sessions array');
        const got = new Set(hits.map((h) => h.id));
        expect(got.size === rareSet.size && [...rareSet].every((id) => got.has(id)),
          `found ${hits.length} sessions, expected exactly the ${rareSet.size} planted ones`);
        expect(hits.every((h) => h.match.toLowerCase().includes(RARE_WORD)), 'a match lacks the word');
      },
    },
    {
      name: 'search_cjk', warmup: WARMUP, measured: MEASURED, budgetMs: SEARCH_BUDGET_MS,
      request: () => ({ method: 'GET', path: `/api/v1/sessions/search?q=${encodeURIComponent(RARE_CJK)}&limit=${SEARCH_LIMIT}` }),
      check: (res) => {
        ok200(res);
        const hits = asBody(res).sessions as Array<{ id: string; match: string }>;
        expect(Array.isArray(hits) && hits.length === rareSet.size && hits.every((h) => rareSet.has(h.id)),
          `found ${Array.isArray(hits) ? hits.length : 0} sessions, expected exactly the ${rareSet.size} planted ones`);
        expect(hits.every((h) => h.match.includes(RARE_CJK)), 'a match lacks the phrase');
      },
    },
    {
      name: 'search_common', warmup: WARMUP, measured: MEASURED, budgetMs: SEARCH_BUDGET_MS,
      request: () => ({ method: 'GET', path: `/api/v1/sessions/search?q=${COMMON_WORD}&limit=${SEARCH_LIMIT}` }),
      check: (res) => {
        ok200(res);
        const hits = asBody(res).sessions as Array<{ id: string; match: string; last_activity: string }>;
        expect(Array.isArray(hits) && hits.length === SEARCH_LIMIT, `expected ${SEARCH_LIMIT} hits`);
        expect(hits.every((h) => h.match.toLowerCase().includes(COMMON_WORD)), 'a match lacks the word');
        expect(new Set(hits.map((h) => h.id)).size === hits.length, 'a session appears twice');
        expect(hits.every((h, i) => i === 0 || hits[i - 1]!.last_activity >= h.last_activity), 'not newest first');
      },
    },
    {
      name: 'delete', warmup: deleteWarmup, measured: deleteMeasured,
      request: (i) => deleteRequest(deleteIds[i]!),
      check: (res) => {
        ok200(res);
        expect(asBody(res).status === 'ok', 'status is not ok');
      },
    },
    {
      name: 'rename_8', warmup: INFLIGHT_WARMUP, measured: INFLIGHT_MEASURED, inflight: INFLIGHT,
      request: (i) => renameRequest(i),
      check: (res) => {
        ok200(res);
        expect(asBody(res).status === 'ok', 'status is not ok');
      },
    },
    {
      name: 'delete_8', warmup: burstsWarmup, measured: burstsMeasured, inflight: INFLIGHT,
      request: (i) => deleteRequest(delete8Ids[i]!),
      check: (res) => {
        ok200(res);
        expect(asBody(res).status === 'ok', 'status is not ok');
      },
    },
  ];

  const verify = async (): Promise<string[]> => {
    const checks: string[] = [];
    const svc = server.ctx.sessions;
    for (const [id, title] of [...renamed].slice(-20)) {
      expect(svc.find(id)?.title === title, `rename of ${id} not stored`);
    }
    checks.push(`last 20 renames stored (of ${renamed.size} distinct sessions renamed)`);
    expect(deleted.every((id) => svc.find(id) === undefined), 'a deleted session still exists');
    const after = await client.request('GET', '/api/v1/sessions?limit=1');
    expect(after.status === 200 && asBody(after).total === sessions - deleted.length, 'total after deletes is wrong');
    checks.push(`${deleted.length} sessions deleted; list total ${sessions} → ${sessions - deleted.length}`);
    if (deleted.length > 0) {
      const historyOfDeleted = await client.request('GET', `/api/v1/sessions/${deleted.at(-1)!}/history`);
      expect(historyOfDeleted.status === 200 && Array.isArray(historyOfDeleted.body) && historyOfDeleted.body.length === 0,
        'history of a deleted session is not empty');
    }
    const rareAgain = await client.request('GET', `/api/v1/sessions/search?q=${RARE_WORD.toUpperCase()}&limit=${SEARCH_LIMIT}`);
    expect(rareAgain.status === 200 && (asBody(rareAgain).sessions as unknown[]).length === RARE_COUNT,
      'upper-case rare search does not find the planted sessions');
    checks.push(`rare-word search returns exactly the ${RARE_COUNT} planted sessions (also upper-cased)`);
    checks.push(`common-word search returns ${SEARCH_LIMIT} distinct sessions, newest first, each match containing "${COMMON_WORD}"`);
    checks.push('every measured response was 200 with a well-formed body');
    return checks;
  };

  return { specs, verify };
}
