import { createRequire } from 'node:module';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** What `PRAGMA quick_check` found: `ok`, the problems it listed, or why it could not run. */
export type IntegrityOutcome =
  | { kind: 'ok' }
  | { kind: 'corrupt'; problems: string[] }
  | { kind: 'failed'; error: string };

/** How many problems quick_check lists at most (it stops there; one is enough to act on). */
const MAX_PROBLEMS = 10;
/** The worker's own page cache (KiB): quick_check reads every page once, a big cache buys nothing. */
const WORKER_CACHE_KIB = 512;

/** SQLite error codes that mean the file itself is damaged, not that the check could not run. */
const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

/**
 * The worker's code, run with `eval: true` so it is not a separate file: the esbuild bundle in
 * `.build/` and tsx running `src/` both carry it as a string. CommonJS (an eval worker's mode);
 * better-sqlite3 is required by the absolute path the main thread resolved.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
let db;
let message;
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('cache_size = -' + workerData.cacheKib);
  const rows = db.pragma('quick_check(' + workerData.maxProblems + ')', { simple: false });
  const problems = rows.map((r) => String(Object.values(r)[0]));
  message = problems.length === 1 && problems[0] === 'ok' ? { kind: 'ok' } : { kind: 'corrupt', problems };
} catch (err) {
  const code = err && err.code;
  const text = String((err && err.message) || err);
  message = workerData.corruptionCodes.includes(code) ? { kind: 'corrupt', problems: [text] } : { kind: 'failed', error: text };
} finally {
  try { if (db) db.close(); } catch {}
}
parentPort.postMessage(message);
`;

let driverPath: string | undefined;
/** better-sqlite3's entry, resolved from this module (src/health/ or the .build/ chunk alike). */
function driver(): string {
  return (driverPath ??= createRequire(import.meta.url).resolve('better-sqlite3'));
}

/** One integrity check in flight: its outcome, and a way to stop it (the app closing). */
export interface IntegrityRun {
  outcome: Promise<IntegrityOutcome>;
  stop(): Promise<void>;
}

/**
 * Runs `PRAGMA quick_check` on the database file in a worker thread, on its own read-only
 * connection, so the event loop keeps answering while it reads the whole file (10–15 s for
 * ~900 MB). The outcome never rejects: a worker that fails to start, throws or dies is a
 * `failed` outcome, never an error that reaches the server. An in-memory database (no file
 * another connection could open) is checked on its own connection: it is small by nature.
 */
export function startIntegrityCheck(db: Database.Database): IntegrityRun {
  if (db.memory || !db.name) return { outcome: Promise.resolve(inline(db)), stop: async () => undefined };
  let worker: Worker;
  try {
    worker = new Worker(WORKER_CODE, {
      eval: true,
      // The thread's memory counts in the server's RSS while it runs (10–15 s at 10k): a small
      // young generation, no copy of the environment and a small page cache keep it ~2.5 MB
      // lower (issue 14). Its JavaScript holds a handful of strings.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 32 },
      env: SHARE_ENV,
      workerData: { driver: driver(), file: db.name, cacheKib: WORKER_CACHE_KIB, maxProblems: MAX_PROBLEMS, corruptionCodes: [...CORRUPTION_CODES] },
    });
  } catch (err) {
    return { outcome: Promise.resolve({ kind: 'failed', error: (err as Error).message }), stop: async () => undefined };
  }
  // A check still running never holds the process open (the app's close() stops it anyway).
  worker.unref();
  let stopped = false;
  const outcome = new Promise<IntegrityOutcome>((resolve) => {
    worker.once('message', (m: IntegrityOutcome) => resolve(m));
    worker.once('error', (err) => resolve({ kind: 'failed', error: err.message }));
    worker.once('exit', (code) => resolve({ kind: 'failed', error: stopped ? 'stopped' : `the check's worker exited (code ${code})` }));
  });
  return {
    outcome,
    stop: async () => {
      stopped = true;
      await worker.terminate().catch(() => undefined);
    },
  };
}

function inline(db: Database.Database): IntegrityOutcome {
  try {
    const rows = db.pragma(`quick_check(${MAX_PROBLEMS})`) as Array<Record<string, unknown>>;
    const problems = rows.map((r) => String(Object.values(r)[0]));
    return problems.length === 1 && problems[0] === 'ok' ? { kind: 'ok' } : { kind: 'corrupt', problems };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    return CORRUPTION_CODES.has(code) ? { kind: 'corrupt', problems: [(err as Error).message] } : { kind: 'failed', error: (err as Error).message };
  }
}
