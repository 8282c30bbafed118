/** Helpers every part of the benchmark suite shares: progress on stderr, temp dirs, rounding. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function envInts(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`${name} must be positive integers`);
  return values;
}

/** When the run started (progress lines and the total count from here). */
export const t0 = Date.now();
export function log(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

/** Temp dirs still to remove (on failure too). */
export const tempDirs: string[] = [];
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
export function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const i = tempDirs.indexOf(dir);
  if (i >= 0) tempDirs.splice(i, 1);
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
export const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
