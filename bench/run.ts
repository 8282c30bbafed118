/**
 * PocketPaw benchmark suite (`npm run bench`). See bench/README.md.
 *
 * Prints one JSON document to stdout (progress goes to stderr) and writes it to
 * bench/results/latest.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../src/server/start.js';
import { runChatBench } from './chat.js';
import { runImport } from './import-run.js';
import { envInts, log, mb, r3, removeTemp, t0, tempDir, tempDirs } from './support.js';
import { BenchClient, expect, measureInterleaved, type OperationSpec, type Stats } from './http-timing.js';
import { dbBytes, seedDatabase, type SeedResult } from './seed.js';
import { COMMON_FRACTION, COMMON_WORD, RARE_CJK, RARE_COUNT, RARE_WORD } from './text.js';
import {
  DELETE_MEASURED, DELETE_WARMUP, INFLIGHT, MEASURED, OPS, PAGE, SEARCH_BUDGET_MS, SEARCH_LIMIT, WARMUP, sessionOperations, type Op,
} from './session-ops.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Overridable for quick runs, e.g. BENCH_SCALES=200,2000 BENCH_IMPORT_SESSIONS=500. */
const SCALES = envInts('BENCH_SCALES', [1_000, 10_000]);
const MESSAGES_PER_SESSION = envInts('BENCH_MESSAGES_PER_SESSION', [100])[0]!;
const IMPORT_SESSIONS = envInts('BENCH_IMPORT_SESSIONS', [10_000])[0]!;
const IMPORT_MESSAGES_PER_SESSION = envInts('BENCH_IMPORT_MESSAGES_PER_SESSION', [20])[0]!;

/** Issue 14: every operation's 10k/1k p50 ratio at most this. */
const GOAL_RATIO = 1.3;
const GOAL_OPS = OPS.filter((op) => op !== 'version');
/** BENCH_OPS=rename,rename_8 measures only those (with version, the ratios' baseline). */
const MEASURED_OPS = new Set<string>(process.env.BENCH_OPS ? ['version', ...process.env.BENCH_OPS.split(',')] : OPS);

/** Open servers and clients, closed on failure too. */
const servers: RunningServer[] = [];
const clients: BenchClient[] = [];
interface ScaleResult {
  sessions: number;
  messages_per_session: number;
  messages: number;
  seed: {
    seconds: number;
    messages_per_second: number;
    db_bytes: number;
    db_mb: number;
    rare_word_messages: number;
    common_word_messages: number;
    common_word_fraction: number;
  };
  server_start_ms: number;
  ops: Record<Op, Stats>;
  checks: string[];
}

/** A seeded home with its server running, and the operations to measure against it. */
interface Scale {
  sessions: number;
  home: string;
  seed: SeedResult;
  server: RunningServer;
  serverStartMs: number;
  client: BenchClient;
  specs: OperationSpec[];
  /** After all operations: checks that the writes really happened. */
  verify: () => Promise<string[]>;
}

async function prepareScale(sessions: number): Promise<Scale> {
  const home = tempDir(`pocketpaw-bench-${sessions}-`);
  log(`scale ${sessions} sessions × ${MESSAGES_PER_SESSION} messages: seeding ${home}`);
  let lastLogged = 0;
  const seed = seedDatabase({
    home, sessions, messagesPerSession: MESSAGES_PER_SESSION, seed: 1000 + sessions,
    onProgress: (done, total) => {
      if (done === total || done - lastLogged >= total / 10) {
        lastLogged = done;
        log(`  seeded ${done}/${total} sessions`);
      }
    },
  });
  expect(seed.rareSessions.length === RARE_COUNT, `planted the rare word in ${seed.rareSessions.length} sessions`);
  log(`  seeded ${seed.messages} messages in ${seed.seconds.toFixed(1)} s, database ${mb(seed.dbBytes)} MB`);

  const startedAt = process.hrtime.bigint();
  const server = await startServer({
    mode: 'api', host: '127.0.0.1', port: 0, logLevel: 'silent',
    env: { ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false' },
  });
  const serverStartMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  servers.push(server);
  const token = fs.readFileSync(path.join(home, 'access_token'), 'utf8').trim();
  const client = new BenchClient(server.url, token);
  clients.push(client);
  log(`  server up at ${server.url} in ${serverStartMs.toFixed(0)} ms`);

  const { specs, verify } = sessionOperations({ sessions, messagesPerSession: MESSAGES_PER_SESSION, seed, server, client });
  return { sessions, home, seed, server, serverStartMs, client, specs, verify };
}

async function runScales(): Promise<{ scales: ScaleResult[]; memory: Record<string, unknown> }> {
  const prepared: Scale[] = [];
  for (const n of SCALES) prepared.push(await prepareScale(n));
  const ops = prepared.map(() => ({}) as Record<Op, Stats>);

  log(`measuring ${OPS.length} operations, requests to the ${prepared.length} servers interleaved`);
  for (const [k, name] of OPS.entries()) {
    if (!MEASURED_OPS.has(name)) continue;
    const targets = prepared.map((p) => ({ client: p.client, spec: p.specs[k]! }));
    expect(targets.every((t) => t.spec.name === name), `operation order mismatch at ${name}`);
    const results = await measureInterleaved(targets);
    results.forEach((s, i) => {
      ops[i]![name] = s;
      log(`  ${name.padEnd(14)} ${String(prepared[i]!.sessions).padStart(6)} sessions: n=${String(s.n).padStart(3)} p50 ${s.p50_ms.toFixed(3)} ms  p99 ${s.p99_ms.toFixed(3)} ms  mean ${s.mean_ms.toFixed(3)} ms`);
    });
  }
  const mem = process.memoryUsage();
  const checks: string[][] = [];
  for (const p of prepared) checks.push(await p.verify());

  for (const p of prepared) {
    p.client.close();
    await p.server.close();
    removeTemp(p.home);
  }
  return {
    scales: prepared.map((p, i) => ({
      sessions: p.sessions,
      messages_per_session: MESSAGES_PER_SESSION,
      messages: p.seed.messages,
      seed: {
        seconds: r3(p.seed.seconds),
        messages_per_second: Math.round(p.seed.messages / p.seed.seconds),
        db_bytes: p.seed.dbBytes,
        db_mb: mb(p.seed.dbBytes),
        rare_word_messages: RARE_COUNT,
        common_word_messages: p.seed.commonMessages,
        common_word_fraction: r3(p.seed.commonMessages / p.seed.messages),
      },
      server_start_ms: r3(p.serverStartMs),
      ops: ops[i]!,
      checks: checks[i]!,
    })),
    memory: {
      rss_mb: mb(mem.rss),
      heap_used_mb: mb(mem.heapUsed),
      external_mb: mb(mem.external),
      servers_running: prepared.length,
      note: `process.memoryUsage() after all measurements, with the ${prepared.length} servers (${SCALES.join(' and ')} sessions) still open: they run in-process, so this RSS covers all of them plus the benchmark client and seeding leftovers. SQLite page cache is capped at 32 MB per connection (cache_size = -32000).`,
    },
  };
}

function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: path.dirname(HERE), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: path.dirname(HERE), encoding: 'utf8' }).trim();
    return dirty ? `${head} (src/ has uncommitted changes)` : head;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  log(`scales ${SCALES.join(', ')} sessions × ${MESSAGES_PER_SESSION} messages; import ${IMPORT_SESSIONS} × ${IMPORT_MESSAGES_PER_SESSION}`);
  const commit = gitCommit();
  const { scales, memory } = await runScales();

  const base = scales[0]!;
  const top = scales[scales.length - 1]!;
  const ratios: Record<string, unknown> = {};
  if (scales.length > 1) {
    for (const op of OPS) {
      if (!MEASURED_OPS.has(op)) continue;
      const p50 = top.ops[op].p50_ms / base.ops[op].p50_ms;
      const p99 = top.ops[op].p99_ms / base.ops[op].p99_ms;
      // The same ratio with the trivial request's time (HTTP + framework overhead) taken off both.
      const net = op === 'version' ? null
        : (top.ops[op].p50_ms - top.ops.version.p50_ms) / Math.max(0.001, base.ops[op].p50_ms - base.ops.version.p50_ms);
      ratios[op] = {
        p50_ratio: r3(p50),
        p99_ratio: r3(p99),
        p50_net_ratio: net === null ? null : r3(net),
        within_goal: p50 <= GOAL_RATIO,
        in_goal: (GOAL_OPS as readonly string[]).includes(op),
      };
    }
  }
  const goalMet = scales.length > 1 && GOAL_OPS.every((op) => (ratios[op] as { within_goal: boolean } | undefined)?.within_goal);

  const importResult = await runImport(IMPORT_SESSIONS, IMPORT_MESSAGES_PER_SESSION);
  // BENCH_CHAT=0 skips the chat part (measured alone by `npm run bench:chat`).
  let chat: unknown = null;
  if (process.env.BENCH_CHAT !== '0') {
    log('chat: first-token latency and concurrent WebSocket chats');
    chat = await runChatBench();
  }

  const result = {
    benchmark: 'pocketpaw',
    date: new Date().toISOString(),
    commit,
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? null,
      total_memory_mb: mb(os.totalmem()),
      note: 'server runs in the benchmark process; requests are sequential over one keep-alive socket; other work on the machine adds noise',
    },
    method: {
      http: `node:http keep-alive agent per server, one request at a time (rename_8 and delete_8: bursts of 8 at once, up to 8 sockets); all scales' servers run at once and each operation's requests alternate between them, so background load hits every scale alike; ${WARMUP} warm-up + ${MEASURED} measured per op and scale (delete ${DELETE_WARMUP} + ${DELETE_MEASURED}, distinct sessions; searches fewer if slow, budget ${SEARCH_BUDGET_MS / 1000} s per search op); time = request sent → last response byte`,
      data: `sessions of ${MESSAGES_PER_SESSION} alternating user/assistant messages of 60–150 chars; "${RARE_WORD}" in exactly ${RARE_COUNT} messages (${RARE_COUNT} sessions); "${COMMON_WORD}" in ~${COMMON_FRACTION * 100}% of messages`,
      operations: {
        version: 'GET /api/v1/version (trivial baseline: server overhead)',
        list: `GET /api/v1/sessions?limit=${PAGE}`,
        rename: 'POST /api/v1/sessions/{id}/title (random existing sessions)',
        history: `GET /api/v1/sessions/{id}/history?limit=${PAGE} (random sessions)`,
        search_rare: `GET /api/v1/sessions/search?q=${RARE_WORD}&limit=${SEARCH_LIMIT}`,
        search_cjk: `GET /api/v1/sessions/search?q=${RARE_CJK}&limit=${SEARCH_LIMIT} (planted beside the rare word, without spaces)`,
        search_common: `GET /api/v1/sessions/search?q=${COMMON_WORD}&limit=${SEARCH_LIMIT}`,
        delete: 'DELETE /api/v1/sessions/{id} (distinct sessions)',
        rename_8: `rename with ${INFLIGHT} requests in flight (bursts of ${INFLIGHT}, each timed)`,
        delete_8: `delete with ${INFLIGHT} requests in flight (distinct sessions)`,
      },
      ratios: `p50 and p99 of the ${top.sessions}-session scale divided by the ${base.sessions}-session baseline; within_goal means p50 ratio ≤ ${GOAL_RATIO}; p50_net_ratio subtracts each scale's version p50 (server overhead) first`,
    },
    scales,
    memory_after_measurements: memory,
    ratios,
    goal: {
      ops: GOAL_OPS,
      description: `p50 at ${top.sessions} sessions at most ${GOAL_RATIO}× p50 at ${base.sessions} sessions, every operation`,
      met: goalMet,
    },
    import: importResult,
    chat,
    total_seconds: r3((Date.now() - t0) / 1000),
  };

  const json = JSON.stringify(result, null, 2);
  const outDir = path.join(HERE, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'latest.json'), `${json}\n`);
  process.stdout.write(`${json}\n`);
  log(`done in ${result.total_seconds.toFixed(0)} s; written to bench/results/latest.json`);
}

async function cleanup(): Promise<void> {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
  for (const dir of [...tempDirs]) {
    try {
      removeTemp(dir);
    } catch {
      // best effort
    }
  }
}

process.on('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

try {
  await main();
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
