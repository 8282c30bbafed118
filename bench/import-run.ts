/**
 * The import benchmark: `pocketpaw import` of a generated PocketPaw 0.4.4 data dir. Part of
 * `npm run bench`; alone (the peak RSS is then the import's own):
 * `BENCH_IMPORT_SESSIONS=10000 BENCH_IMPORT_MESSAGES_PER_SESSION=100 npx tsx bench/import-run.ts`
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPocketPaw, type ImportSummary } from '../src/import/import.js';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.js';
import { openDatabase } from '../src/store/db.js';
import { expect } from './http-timing.js';
import { writePocketPawDir } from './pocketpaw-dir.js';
import { dbBytes } from './seed.js';
import { envInts, log, mb, r3, removeTemp, tempDir } from './support.js';

interface ImportRun {
  seconds: number;
  messages_per_second: number;
  sessions_created: number;
  sessions_unchanged: number;
  messages_imported: number;
  failures: number;
  /** The process's RSS high-water mark at the end of this run (the whole process's, see README). */
  peak_rss_mb: number;
}

const peakRssMb = () => mb(process.resourceUsage().maxRSS * 1024);

/** Imports a generated PocketPaw data dir twice: the first run, then the idempotent re-run. */
export async function runImport(IMPORT_SESSIONS: number, IMPORT_MESSAGES_PER_SESSION: number) {
  const root = path.join(tempDir('pocketpaw-bench-src-'), '.pocketpaw');
  log(`import: writing a PocketPaw data dir with ${IMPORT_SESSIONS} sessions × ${IMPORT_MESSAGES_PER_SESSION} messages`);
  const src = writePocketPawDir({ root, sessions: IMPORT_SESSIONS, messagesPerSession: IMPORT_MESSAGES_PER_SESSION });
  log(`  wrote ${src.messages} messages (${mb(src.bytes)} MB) in ${src.seconds.toFixed(1)} s`);

  const home = tempDir('pocketpaw-bench-import-');
  const dbFile = path.join(home, 'pocketpaw.db');
  const db = openDatabase(dbFile);
  const store = new SqliteSessionStore(db);
  const rssBefore = peakRssMb();
  const runOnce = (label: string): { run: ImportRun; summary: ImportSummary } => {
    const started = process.hrtime.bigint();
    const summary = importPocketPaw(root, {
      home, store,
      onProgress: (p) => {
        if (p.stage === 'indexing') log(`  ${label}: files stored, building the search index`);
        else if (p.done % Math.max(1, Math.floor(p.total / 5)) === 0) log(`  ${label}: ${p.done}/${p.total} files`);
      },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    log(`  ${label}: ${seconds.toFixed(2)} s, ${summary.messagesImported} messages imported`);
    return {
      summary,
      run: {
        seconds: r3(seconds),
        messages_per_second: Math.round(src.messages / seconds),
        sessions_created: summary.sessionsCreated,
        sessions_unchanged: summary.sessionsUnchanged,
        messages_imported: summary.messagesImported,
        failures: summary.failures.length,
        peak_rss_mb: peakRssMb(),
      },
    };
  };
  try {
    const first = runOnce('first import');
    expect(first.summary.failures.length === 0, `import failures: ${JSON.stringify(first.summary.failures.slice(0, 3))}`);
    expect(first.summary.sessionsCreated === IMPORT_SESSIONS, `created ${first.summary.sessionsCreated} sessions`);
    expect(first.summary.messagesImported === src.messages, `imported ${first.summary.messagesImported} messages`);
    expect(store.count() === IMPORT_SESSIONS, 'store count after import is wrong');
    const second = runOnce('second import');
    expect(second.summary.sessionsUnchanged === IMPORT_SESSIONS && second.summary.messagesImported === 0,
      'second import was not a no-op');
    const size = dbBytes(dbFile);
    return {
      sessions: IMPORT_SESSIONS,
      messages_per_session: IMPORT_MESSAGES_PER_SESSION,
      messages: src.messages,
      source_mb: mb(src.bytes),
      source_write_seconds: r3(src.seconds),
      first: first.run,
      second_idempotent: { ...second.run, note: 'messages_per_second = messages read and skipped per second' },
      db_mb_after: mb(size),
      peak_rss_mb_before_import: rssBefore,
      note: 'openDatabase defaults (WAL, synchronous=FULL); the whole import is one transaction, so one fsync',
    };
  } finally {
    db.close();
    removeTemp(home);
    removeTemp(path.dirname(root));
    log('  import: temp dirs removed');
  }
}

// Run alone: the import benchmark only, JSON on stdout.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sessions = envInts('BENCH_IMPORT_SESSIONS', [10_000])[0]!;
  const perSession = envInts('BENCH_IMPORT_MESSAGES_PER_SESSION', [20])[0]!;
  process.stdout.write(`${JSON.stringify(await runImport(sessions, perSession), null, 2)}\n`);
}
