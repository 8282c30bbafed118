/**
 * Before/after in one process (bench/README.md, "Comparing two checkouts"): this checkout's
 * server and another checkout's (BENCH_COMPARE_ROOT, e.g. a `git worktree` of an older commit
 * with node_modules linked), each on its own home seeded by its own code with the same data, and
 * every session operation's requests alternating between the two, so load from other work on
 * the machine falls on both alike. JSON on stdout.
 *
 *   BENCH_COMPARE_ROOT=/tmp/wt-base npx tsx bench/compare.mts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchClient, measureInterleaved, type Stats } from './http-timing.js';
import { OPS, sessionOperations } from './session-ops.js';
import { envInts, log, r3, removeTemp, tempDir } from './support.js';

const OURS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OTHER = process.env.BENCH_COMPARE_ROOT;
if (!OTHER || !fs.existsSync(path.join(OTHER, 'src/server/start.ts'))) {
  throw new Error('Set BENCH_COMPARE_ROOT to another PocketPaw checkout (e.g. git worktree add /tmp/wt-base <commit>; ln -s "$PWD/node_modules" /tmp/wt-base/)');
}
const SESSIONS = envInts('BENCH_COMPARE_SESSIONS', [10_000])[0]!;
const PER_SESSION = envInts('BENCH_MESSAGES_PER_SESSION', [100])[0]!;

interface Side {
  root: string;
  home: string;
  close: () => Promise<void>;
  client: BenchClient;
  ops: ReturnType<typeof sessionOperations>;
  dbMb: number;
}

async function prepare(root: string): Promise<Side> {
  // Each side seeds with its own store (its own schema) and serves with its own server code.
  const { seedDatabase } = (await import(path.join(root, 'bench/seed.ts'))) as typeof import('./seed.js');
  const { startServer } = (await import(path.join(root, 'src/server/start.ts'))) as typeof import('../src/server/start.js');
  const home = tempDir('pocketpaw-compare-');
  log(`${root}: seeding ${SESSIONS} × ${PER_SESSION}`);
  const seed = seedDatabase({ home, sessions: SESSIONS, messagesPerSession: PER_SESSION, seed: 1000 + SESSIONS });
  const server = await startServer({
    mode: 'api', host: '127.0.0.1', port: 0, logLevel: 'silent',
    env: { ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false' },
  });
  const client = new BenchClient(server.url, fs.readFileSync(path.join(home, 'access_token'), 'utf8').trim());
  const ops = sessionOperations({ sessions: SESSIONS, messagesPerSession: PER_SESSION, seed, server, client });
  return { root, home, client, ops, dbMb: r3(seed.dbBytes / 1e6), close: () => server.close() };
}

const sides = [await prepare(OTHER), await prepare(OURS)];
const result: Record<string, { before: Stats; after: Stats; p50_after_over_before: number }> = {};
try {
  for (const [k, name] of OPS.entries()) {
    const [before, after] = await measureInterleaved(sides.map((s) => ({ client: s.client, spec: s.ops.specs[k]! })));
    result[name] = { before: before!, after: after!, p50_after_over_before: r3(after!.p50_ms / before!.p50_ms) };
    log(`  ${name.padEnd(14)} before p50 ${before!.p50_ms} p99 ${before!.p99_ms}   after p50 ${after!.p50_ms} p99 ${after!.p99_ms}`);
  }
  for (const s of sides) await s.ops.verify();
  process.stdout.write(`${JSON.stringify({
    benchmark: 'pocketpaw-compare', date: new Date().toISOString(), sessions: SESSIONS, messages_per_session: PER_SESSION,
    before: { root: OTHER, db_mb: sides[0]!.dbMb }, after: { root: OURS, db_mb: sides[1]!.dbMb }, ops: result,
  }, null, 2)}\n`);
} finally {
  for (const s of sides) {
    s.client.close();
    await s.close();
    removeTemp(s.home);
  }
}
