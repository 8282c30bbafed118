import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Past this a file usually holds more than one job; split it along its seams. */
const MAX_LINES = 400;

function* files(dir: string, ext: RegExp): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p, ext);
    else if (ext.test(entry.name)) yield p;
  }
}

describe('the structure of the code', () => {
  it('no import cycle between the capability folders of src/ (no import runs back up a layer)', () => {
    let out: string;
    try {
      out = execFileSync(process.execPath, [path.join(ROOT, 'scripts/layers.mjs')], { encoding: 'utf8' });
    } catch (err) {
      out = (err as { stdout: string }).stdout;
    }
    const report = JSON.parse(out) as { folders: number; cycles: string[][]; cycle_imports: string[][]; uses: Record<string, string[]> };
    expect(report.cycle_imports).toEqual([]);
    expect(report.cycles).toEqual([]);
    // The graph is real: the composition root uses the features, and nothing uses it but the server and the CLI.
    expect(report.folders).toBeGreaterThan(20);
    expect(report.uses.app).toEqual(expect.arrayContaining(['chat', 'sessions', 'tools', 'memory', 'events', 'models']));
    const usersOfApp = Object.entries(report.uses).filter(([, to]) => to.includes('app')).map(([from]) => from).sort();
    expect(usersOfApp).toEqual(['cli', 'server', 'ws']);
    // The wire protocol is shared with the dashboard, so it imports nothing of the server.
    expect(report.uses.protocol ?? []).toEqual([]);
  });

  it(`no source file over ${MAX_LINES} lines`, () => {
    const long: string[] = [];
    for (const dir of ['src', 'web/src', 'bench', 'scripts']) {
      for (const file of files(path.join(ROOT, dir), /\.(ts|tsx|mjs|css)$/)) {
        const lines = fs.readFileSync(file, 'utf8').split('\n').length;
        if (lines > MAX_LINES) long.push(`${path.relative(ROOT, file)}: ${lines}`);
      }
    }
    expect(long).toEqual([]);
  });
});
