/**
 * Footprint (issue 14): start-up time and idle memory of the real CLI, on a 10k × 100 home.
 *
 *   npx tsx bench/footprint.mts > footprint.json      # JSON on stdout, progress on stderr
 *
 * Each run spawns `node bin/pocketpaw.js …` as its own process (the way a user starts it) and
 * measures, per mode:
 * - `first_request_ms`: from spawn to the first 200 of `GET /api/v1/version` (the port is read
 *   from the "… on http://host:port" line the CLI prints once it listens, then it is polled);
 * - `startup_ms`: from spawn to the first 200 of `GET /api/v1/health`, asked right after (the
 *   database's integrity check runs in a worker thread started once the server listens, so
 *   health answers from the other checks meanwhile; before that change its first call ran it);
 * - `idle_rss_mb`: the child's VmRSS (/proc/<pid>/status) after it has been idle ~2 s (the
 *   integrity check's worker may still be running then), and `peak_rss_mb` (VmHWM) so far;
 * - `check_done_ms`: from spawn to the first health answer that includes the integrity check
 *   (no `message`; 10–15 s at 10k), and `rss_after_check_mb`: VmRSS 2 s after that;
 * - `sessions list`: wall time of `node bin/pocketpaw.js sessions list` until it exits.
 * A bare `node` HTTP server and a bare `node -e ""` are measured in the same run as baselines.
 *
 * Seeding 1M messages takes minutes, so the home is cached under bench/results/footprint-home/
 * (git-ignored) and reused; its stamp (`seeded.json`) is written only after seeding completes.
 * BENCH_FOOTPRINT_SESSIONS (default 10000), BENCH_FOOTPRINT_RUNS (default 5) and
 * BENCH_MESSAGES_PER_SESSION (default 100) shrink it for a smoke run. BENCH_FOOTPRINT_ROOT measures
 * the CLI of another checkout on the same home (the "before" column: a worktree of an older commit).
 * `bin/pocketpaw.js` runs the prebuilt server when it is up to date and tsx otherwise; the tsx
 * path is measured too (POCKETPAW_RUNNER=tsx), so both figures come from the same run.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/store/db.js';
import { seedDatabase } from './seed.js';
import { envInts, log } from './support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The checkout whose CLI is measured: this one, or another (e.g. a worktree of an older commit, for "before"). */
const cliRoot = path.resolve(process.env.BENCH_FOOTPRINT_ROOT ?? root);
const bin = path.join(cliRoot, 'bin', 'pocketpaw.js');
const [sessions] = envInts('BENCH_FOOTPRINT_SESSIONS', [10_000]) as [number];
const [runs] = envInts('BENCH_FOOTPRINT_RUNS', [5]) as [number];
const [perSession] = envInts('BENCH_MESSAGES_PER_SESSION', [100]) as [number];
const IDLE_MS = 2_000;

/** The cached home for this size: seeded once, reused by every later run. */
function seededHome(): string {
  const home = path.join(root, 'bench', 'results', 'footprint-home', `${sessions}x${perSession}`);
  const stamp = path.join(home, 'seeded.json');
  if (!fs.existsSync(stamp)) {
    fs.rmSync(home, { recursive: true, force: true });
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    log(`seeding ${sessions} sessions × ${perSession} messages into ${home} (cached for later runs)…`);
    let last = 0;
    const r = seedDatabase({
      home, sessions, messagesPerSession: perSession,
      onProgress: (done, total) => {
        if (done - last >= total / 10 || done === total) { last = done; log(`  seeded ${done}/${total}`); }
      },
    });
    fs.writeFileSync(stamp, JSON.stringify({ sessions, perSession, messages: r.messages, seconds: r.seconds }) + '\n');
  } else log(`reusing the seeded home ${home}`);
  // Apply any migration added since the home was seeded, so no measured start pays for it.
  openDatabase(path.join(home, 'pocketpaw.db')).close();
  return home;
}

const rssOf = (pid: number) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
  });
}

interface StartRun { first_request_ms: number; startup_ms: number; idle_rss_mb: number; peak_rss_mb: number; check_done_ms: number; rss_after_check_mb: number }

function getJson(url: string): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => {
        try { resolve(JSON.parse(body) as Record<string, unknown>); } catch { resolve(null); }
      });
    });
    req.on('error', () => resolve(null));
  });
}

/** Polls health until its answer includes the database's integrity check (no "still running" message). */
async function checkDone(url: string, started: number): Promise<number> {
  for (let i = 0; i < 2_400; i++) {
    const body = await getJson(url);
    if (body && body.status !== undefined && body.message === undefined) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never reported the integrity check done`);
}

/** Polls until the URL answers 200; the time it did, from `started`. */
async function firstOk(url: string, started: number): Promise<number> {
  let status = 0;
  for (let i = 0; i < 20_000 && status !== 200; i++) {
    status = await getStatus(url);
    if (status !== 200) await new Promise((r) => setTimeout(r, 5));
  }
  if (status !== 200) throw new Error(`${url} never answered 200 (last ${status})`);
  return performance.now() - started;
}

/** Spawns a server, times it to the first 200 of health, waits idle, reads its memory, stops it. */
async function startOnce(args: string[], env: NodeJS.ProcessEnv, bareBaseline = false): Promise<StartRun> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: cliRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = / on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before listening: ${err.trim() || out.trim()}`)));
    });
    // The first request the server answers (a trivial one; the bare baseline answers anything),
    // then health: its first call runs the health checks, the database's quick_check included.
    const firstRequest = await firstOk(`${base}/api/v1/version`, started);
    const startup = await firstOk(`${base}/api/v1/health`, started);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const mem = rssOf(child.pid!);
    // The bare baseline answers "ok" to anything: nothing runs in its background.
    const done = bareBaseline ? startup : await checkDone(`${base}/api/v1/health`, started);
    if (!bareBaseline) await new Promise((r) => setTimeout(r, IDLE_MS));
    const after = rssOf(child.pid!);
    return { first_request_ms: firstRequest, startup_ms: startup, idle_rss_mb: mem.rss, peak_rss_mb: mem.peak, check_done_ms: done, rss_after_check_mb: after.rss };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Wall time of one command run to completion (exit code 0 and the expected output checked). */
function timeCommand(args: string[], env: NodeJS.ProcessEnv, expect: RegExp | null): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: cliRoot, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  if (expect && !expect.test(r.stdout)) throw new Error(`${args.join(' ')}: unexpected output ${r.stdout.slice(-200)}`);
  return ms;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return { median: r1(s[Math.floor((s.length - 1) / 2)]!), min: r1(s[0]!), max: r1(s[s.length - 1]!), n: s.length };
};

function summarize(list: StartRun[]) {
  return {
    first_request_ms: stats(list.map((r) => r.first_request_ms)),
    startup_ms: stats(list.map((r) => r.startup_ms)),
    idle_rss_mb: stats(list.map((r) => r.idle_rss_mb)),
    peak_rss_mb: stats(list.map((r) => r.peak_rss_mb)),
    check_done_ms: stats(list.map((r) => r.check_done_ms)),
    rss_after_check_mb: stats(list.map((r) => r.rss_after_check_mb)),
  };
}

const home = seededHome();
// The dashboard is built before timing (a stale build would otherwise be built by the first start).
const { buildWeb } = (await import(path.join(cliRoot, 'scripts', 'build-web.mjs'))) as { buildWeb: () => Promise<boolean> };
await buildWeb();
// Same for the prebuilt server: `npm start` builds it (prestart) when it is stale.
const buildScript = path.join(cliRoot, 'scripts', 'build-server.mjs');
if (fs.existsSync(buildScript)) {
  const { buildServer } = (await import(buildScript)) as { buildServer: () => Promise<boolean> };
  await buildServer();
}

// 'built': the build made above, even if someone edits src/ meanwhile (bin/pocketpaw.js would fall back to tsx).
const env = { ...process.env, POCKETPAW_HOME: home, POCKETPAW_LOG_LEVEL: 'warn', POCKETPAW_RUNNER: 'built' };
const tsxEnv = { ...env, POCKETPAW_RUNNER: 'tsx' };
const bare = ['-e', "require('http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',function(){console.log('bare on http://127.0.0.1:'+this.address().port)})"];
const modes: Record<string, { args: string[]; env: NodeJS.ProcessEnv }> = {
  node_baseline: { args: bare, env },
  api: { args: [bin, 'serve', '--port', '0', '--host', '127.0.0.1'], env },
  dashboard: { args: [bin, '--port', '0', '--host', '127.0.0.1'], env },
  api_tsx: { args: [bin, 'serve', '--port', '0', '--host', '127.0.0.1'], env: tsxEnv },
};
const cli: Record<string, { args: string[]; env: NodeJS.ProcessEnv; expect: RegExp | null }> = {
  node_baseline: { args: ['-e', ''], env, expect: null },
  sessions_list: { args: [bin, 'sessions', 'list'], env, expect: new RegExp(`50 of ${sessions} sessions`) },
  sessions_list_tsx: { args: [bin, 'sessions', 'list'], env: tsxEnv, expect: new RegExp(`50 of ${sessions} sessions`) },
};

// One warm-up of each (tsx's transform cache, the OS page cache), then the runs interleaved
// so load from other work on the machine falls on every mode alike.
const starts: Record<string, StartRun[]> = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
const cliTimes: Record<string, number[]> = Object.fromEntries(Object.keys(cli).map((k) => [k, []]));
for (let i = -1; i < runs; i++) {
  for (const [name, m] of Object.entries(modes)) {
    const r = await startOnce(m.args, m.env, name === 'node_baseline');
    if (i >= 0) starts[name]!.push(r);
  }
  for (const [name, c] of Object.entries(cli)) {
    const ms = timeCommand(c.args, c.env, c.expect);
    if (i >= 0) cliTimes[name]!.push(ms);
  }
  const last = starts.api!.at(-1);
  log(i < 0 ? 'warm-up done' : `run ${i + 1}/${runs}: api ${last!.first_request_ms.toFixed(0)} ms to a request, ${last!.startup_ms.toFixed(0)} ms to health, ${last!.idle_rss_mb.toFixed(1)} MB (${last!.rss_after_check_mb.toFixed(1)} MB once the integrity check is done); list ${cliTimes.sessions_list!.at(-1)!.toFixed(0)} ms`);
}

const result = {
  benchmark: 'footprint',
  checkout: cliRoot,
  commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: cliRoot, encoding: 'utf8' }).stdout.trim(),
  sessions, messages_per_session: perSession, runs, idle_ms: IDLE_MS,
  node: process.version,
  servers: Object.fromEntries(Object.entries(starts).map(([k, v]) => [k, summarize(v)])),
  cli_ms: Object.fromEntries(Object.entries(cliTimes).map(([k, v]) => [k, stats(v)])),
};
const goal = {
  api_first_request_le_300ms: result.servers.api!.first_request_ms.median <= 300,
  api_idle_rss_le_60mb: result.servers.api!.idle_rss_mb.median <= 60,
  api_startup_le_300ms: result.servers.api!.startup_ms.median <= 300,
  sessions_list_lt_300ms: result.cli_ms.sessions_list!.median < 300,
};
const json = JSON.stringify({ ...result, goal }, null, 2);
fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench', 'results', 'footprint.json'), json + '\n');
process.stdout.write(json + '\n');
