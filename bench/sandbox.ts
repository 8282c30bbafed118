/**
 * What the shell sandbox costs per call (`npm run bench:sandbox`). See bench/README.md.
 *
 *   npx tsx bench/sandbox.ts                 # JSON on stdout, progress on stderr
 *   BENCH_SANDBOX_RUNS=200 npx tsx bench/sandbox.ts
 *
 * Each shell call goes through the shell tool's own path: `Sandbox.prepare` (the bwrap command
 * line, or plain /bin/sh when run directly) and `runCommand` (spawn, collect output, wait for the
 * process group). Modes, interleaved run by run so other load on the machine falls on all alike:
 * - `direct`: /bin/sh -c with the allowlisted environment (what runs without a sandbox);
 * - `sandbox_none`: bubblewrap, no network (the default);
 * - `sandbox_allowlist`: bubblewrap plus the in-sandbox node bridge to the proxy.
 * Plus, in allowlist mode, an HTTP request through the proxy to a local server (`curl`).
 * Written to bench/results/sandbox.json as well.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { settingsSchema, type Settings } from '../src/config/settings.js';
import { Sandbox } from '../src/tools/sandbox/sandbox.js';
import { runCommand } from '../src/tools/shell/run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_SANDBOX_RUNS ?? 50);
const WARMUP = 5;
const log = (msg: string) => process.stderr.write(`[bench:sandbox] ${msg}\n`);

type Mode = 'direct' | 'sandbox_none' | 'sandbox_allowlist';
const MODES: Mode[] = ['direct', 'sandbox_none', 'sandbox_allowlist'];

interface Stats {
  n: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  mean_ms: number;
  min_ms: number;
  max_ms: number;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Nearest-rank percentiles, as bench/http-timing.ts. */
function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return {
    n: s.length, p50_ms: round(rank(0.5)), p90_ms: round(rank(0.9)), p99_ms: round(rank(0.99)),
    mean_ms: round(s.reduce((a, b) => a + b, 0) / s.length), min_ms: round(s[0]!), max_ms: round(s.at(-1)!),
  };
}

async function main(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-sandbox-bench-'));
  fs.mkdirSync(`${home}-workspace`);
  const workspace = fs.realpathSync(`${home}-workspace`);
  const target = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', () => resolve()));
  const targetPort = (target.address() as { port: number }).port;

  const base = settingsSchema.parse({});
  const settingsFor: Record<Mode, Settings> = {
    direct: base,
    sandbox_none: base,
    sandbox_allowlist: { ...base, sandbox_network: 'allowlist', sandbox_allowed_domains: ['localhost'] },
  };
  let current = settingsFor.sandbox_none;
  const sandbox = new Sandbox({ home, settings: () => current, env: process.env });
  const direct = new Sandbox({ home, settings: () => base, env: { ...process.env, POCKETPAW_SANDBOX: 'off' } });
  const detection = await sandbox.detect();
  if (!detection.available) throw new Error(`No sandbox here: ${detection.reason}`);

  const signal = new AbortController().signal;
  async function once(mode: Mode, command: string, expected: string): Promise<number> {
    current = settingsFor[mode];
    const t = performance.now();
    const spec = await (mode === 'direct' ? direct : sandbox).prepare(command, workspace, current);
    const r = await runCommand(spec.file, spec.args, { cwd: workspace, env: spec.env, timeoutMs: 30_000, signal, maxBytes: 1 << 20 });
    const ms = performance.now() - t;
    if (r.exitCode !== 0 || r.stdout !== expected) throw new Error(`${mode} ${command}: exit ${r.exitCode}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`);
    return ms;
  }

  const commands = [
    { name: 'true', command: 'true', expected: '' },
    { name: 'echo hi', command: 'echo hi', expected: 'hi\n' },
  ];
  const results: Record<string, unknown> = {};
  try {
    for (const c of commands) {
      const samples: Record<Mode, number[]> = { direct: [], sandbox_none: [], sandbox_allowlist: [] };
      log(`${c.name}: ${WARMUP} warm-up + ${RUNS} runs per mode, interleaved`);
      for (let i = 0; i < WARMUP + RUNS; i++) {
        // Rotate the order too, so no mode always runs right after another.
        for (let k = 0; k < MODES.length; k++) {
          const mode = MODES[(i + k) % MODES.length]!;
          const ms = await once(mode, c.command, c.expected);
          if (i >= WARMUP) samples[mode].push(ms);
        }
      }
      const s = Object.fromEntries(MODES.map((m) => [m, stats(samples[m])])) as Record<Mode, Stats>;
      results[c.name] = {
        ...s,
        added_ms_p50: {
          sandbox_none: round(s.sandbox_none.p50_ms - s.direct.p50_ms),
          sandbox_allowlist: round(s.sandbox_allowlist.p50_ms - s.direct.p50_ms),
        },
      };
    }
    log(`curl through the proxy: ${WARMUP} warm-up + ${RUNS} runs`);
    const curl: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const ms = await once('sandbox_allowlist', `curl -sS --max-time 5 http://localhost:${targetPort}/`, 'ok');
      if (i >= WARMUP) curl.push(ms);
    }
    results['curl via proxy (allowlist)'] = stats(curl);
  } finally {
    sandbox.close();
    target.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(`${home}-workspace`, { recursive: true, force: true });
  }

  const json = JSON.stringify({
    benchmark: 'shell call: direct vs bubblewrap sandbox',
    runs_per_mode: RUNS,
    warmup_per_mode: WARMUP,
    sandbox: detection.reason,
    machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    calls: results,
  }, null, 2);
  const outDir = path.join(HERE, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'sandbox.json'), `${json}\n`);
  process.stdout.write(`${json}\n`);
  log('written to bench/results/sandbox.json');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
