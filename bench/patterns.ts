/**
 * Pattern safety (issue: linear-time patterns): the dangerous-command rails and the secret
 * redactor on adversarial inputs — the shapes that made the old patterns backtrack (a fork-bomb
 * backreference, `.*` chains after a start that recurs, lookaheads retried from every start of a
 * run) — at 10k and 100k characters.
 *
 *   npm run -s bench:patterns             # JSON on stdout, progress on stderr
 *
 * For each case: the best of BENCH_PATTERN_RUNS (default 5) runs, in ms, at both sizes, the
 * ratio 100k/10k (linear ≈ 10, quadratic ≈ 100) and `pass`: every 100k call under BUDGET_MS and
 * the ratio under RATIO_MAX. Cases:
 *  - `checkRails`: the real entry point; over 16 KiB it refuses before any pattern runs, so at
 *    100k it measures the cap. `matchRails` is the same rails without the cap, to show the
 *    patterns themselves scale linearly.
 *  - `redact` with the server's exact secret values set (as the app context does).
 *  - the stream redactor, fed in 5-character deltas (about an LLM token each).
 * Also written to bench/results/patterns.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redact } from '../src/security/redact.js';
import { createStreamRedactor } from '../src/security/stream-redactor.js';
import { SecretValues } from '../src/security/secret-values.js';
import { checkRails, matchRails } from '../src/tools/shell/rails.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_PATTERN_RUNS ?? 5);
const SIZES = [10_000, 100_000] as const;
/** Every call at 100k characters must finish within this. */
const BUDGET_MS = 50;
/** 100k/10k time ratio: linear is about 10; allow noise from a shared machine (and tiny 10k times). */
const RATIO_MAX = 25;
/** Below this the 10k time is timer noise: the ratio is not judged. */
const RATIO_FLOOR_MS = 0.5;
const DELTA = 5;

const log = (msg: string) => process.stderr.write(`[bench:patterns] ${msg}\n`);

function fill(unit: string, n: number, tail = ''): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n - tail.length) + tail;
}

function best(fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const secrets = new SecretValues([() => ['6f1c2a9e-4b7d-4e3a-9c1f-2b8d7e6a5c4d', 'CUSTOMkeyNoPattern7731xq', 'aaaaaaaaaaaaaaaaaaaab']]);

function streamAll(text: string): void {
  const r = createStreamRedactor(secrets);
  for (let i = 0; i < text.length; i += DELTA) r.push(text.slice(i, i + DELTA));
  r.flush();
}

/** Inputs that were super-linear for the old patterns (the old time at 100k in bench/README.md). */
const RAIL_INPUTS: Record<string, [string, string?]> = {
  'fork-bomb backreference': ['a(){ a'],
  'find / … -delete': ['find / '],
  'curl … -d': ['curl -d'],
  'rm flags': ['rm -r '],
  'sed -i … /etc': ['sed -i '],
  'path before power command': [';/'],
  'pipe to /path/sh': ['|/'],
  'base64 -d … | sh': ['base64 -d |'],
  'perl -e … socket … INET': ['perl -e socket'],
  'dd word loop': ['dd '],
  'variable assignments': ['x=rm; '],
  'long word': ['a'],
};
const REDACT_INPUTS: Record<string, [string, string?]> = {
  'sk- run (digit lookahead)': ['sk-'],
  'pp_ run': ['-pp_'],
  'xoxb- run': ['xoxb-'],
  'JWT starts after -': ['-eyJ'],
  'api_key= … (': ['api_key=', '('],
  'token= … (': ['token=', '('],
  'token=! (open value)': ['token=!'],
  'key=value pairs': ['key='],
  'many ://': ['a://:'],
  'Bearer repeated': ['Bearer '],
  'PEM headers': ['-----BEGIN PRIVATE KEY-----'],
  'token characters': ['a'],
  'secret value prefixes': ['aaaaaaaaaaaaaaaaaaaa'],
};

interface Row {
  case: string;
  ms_10k: number;
  ms_100k: number;
  ratio: number | null;
  pass: boolean;
}

function measure(kind: string, inputs: Record<string, [string, string?]>, fn: (text: string) => void, budget = BUDGET_MS): Row[] {
  const rows: Row[] = [];
  for (const [name, [unit, tail]] of Object.entries(inputs)) {
    const [a, b] = SIZES.map((n) => {
      const text = fill(unit, n, tail);
      fn(text); // warm-up (JIT, regex compilation)
      return best(() => fn(text));
    }) as [number, number];
    // Not judged when a time is timer noise (or the 100k call was refused by the length cap).
    const ratio = a >= RATIO_FLOOR_MS && b >= RATIO_FLOOR_MS ? b / a : null;
    const pass = b < budget && (ratio === null || ratio < RATIO_MAX);
    rows.push({ case: name, ms_10k: round(a), ms_100k: round(b), ratio: ratio === null ? null : round(ratio), pass });
    log(`${kind.padEnd(8)} ${name.padEnd(28)} 10k ${a.toFixed(2).padStart(8)} ms  100k ${b.toFixed(2).padStart(8)} ms  ${ratio === null ? '' : `×${ratio.toFixed(1)}`}  ${pass ? 'pass' : 'FAIL'}`);
  }
  return rows;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const rails = measure('rails', RAIL_INPUTS, (t) => void checkRails(t));
// Without the cap the rails run ~40 patterns and a scanner over 100k characters twice (raw and
// normalised): linear, with a heavier constant, so a 4× budget; through checkRails a command is
// at most 16 KiB, which stays well inside BUDGET_MS.
const railsUncapped = measure('uncapped', RAIL_INPUTS, (t) => void matchRails(t), 4 * BUDGET_MS);
const redactRows = measure('redact', REDACT_INPUTS, (t) => void redact(t, secrets));
const stream = measure('stream', REDACT_INPUTS, streamAll);

const all = [...rails, ...railsUncapped, ...redactRows, ...stream];
const result = {
  budget_ms_at_100k: BUDGET_MS,
  ratio_max: RATIO_MAX,
  runs: RUNS,
  stream_delta_chars: DELTA,
  check_rails: rails,
  match_rails_uncapped: railsUncapped,
  redact: redactRows,
  stream_redactor: stream,
  pass: all.every((r) => r.pass),
  failed: all.filter((r) => !r.pass).map((r) => r.case),
};
const outDir = path.join(HERE, 'results');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'patterns.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
log(result.pass ? 'all within budget, linear' : `FAILED: ${result.failed.join(', ')}`);
process.exitCode = result.pass ? 0 : 1;
