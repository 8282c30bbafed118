import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { copyFixture, tempDir } from '../helpers/pocketpaw-fixture.js';
import { expectNoStack, runCli, type CliResult } from './cli.js';

// Each case spawns the real CLI (about a second of startup, more on a busy machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const BROKEN = [
  'websocket_00000000-0000-4000-8000-000000000000.json',
  'websocket_11111111-1111-4111-8111-111111111111.json',
  'websocket_22222222-2222-4222-8222-222222222222.json',
];

let src: string;
let home: string;
let first: CliResult;
const cleanup: string[] = [];

beforeAll(async () => {
  src = copyFixture();
  home = tempDir();
  cleanup.push(path.dirname(src), home);
  first = await runCli(['import', src], home);
});
afterAll(() => {
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
});

describe('pocketpaw import <dir>', () => {
  it('exits 0 and prints progress on stderr', () => {
    expect(first.code, first.stderr).toBe(0);
    const progress = first.stderr.split('\n').filter((l) => l.startsWith('Importing sessions: '));
    expect(progress.length).toBeGreaterThan(1);
    for (const line of progress) expect(line).toMatch(/^Importing sessions: \d{1,3}% \(\d+\/43\)$/);
    expect(progress[progress.length - 1]).toBe('Importing sessions: 100% (43/43)');
    expect(first.stdout).not.toContain('Importing sessions');
  });

  it('prints a summary on stdout: new sessions and each failed file with its reason', () => {
    expect(first.stdout).toContain(`Imported from ${src}`);
    expect(first.stdout).toMatch(/sessions: 40 new, 0 updated, 0 already up to date \(43 files\)/);
    expect(first.stdout).toMatch(/renamed sessions kept their titles: 2/);
    expect(first.stdout).toMatch(/3 files not imported/);
    for (const file of BROKEN) expect(first.stdout).toMatch(new RegExp(`- ${file}: \\S`));
    expect(first.stdout).toMatch(/access token: imported/);
  });

  it('stored the sessions and the token in POCKETPAW_HOME', async () => {
    expect(fs.readFileSync(path.join(home, 'access_token'), 'utf8')).toBe(fs.readFileSync(path.join(src, 'access_token'), 'utf8').trim());
    const list = await runCli(['sessions', 'list', '--json'], home);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).total).toBe(40);
  });

  it('--json prints a parseable summary; a second run imports nothing', async () => {
    const again = await runCli(['import', src, '--json'], home);
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({
      source: src, sessionFiles: 43, sessionsCreated: 0, sessionsUpdated: 0, sessionsUnchanged: 40, messagesImported: 0,
      credentials: { token: 'kept-existing' },
    });
    expect(summary.failures.map((f: { file: string }) => f.file).sort()).toEqual(BROKEN);
    for (const f of summary.failures) expect(f.reason).toEqual(expect.any(String));
  });

  it('--json into a fresh home reports every session as new', async () => {
    const fresh = tempDir();
    cleanup.push(fresh);
    const res = await runCli(['import', '--json', path.dirname(src)], fresh);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ source: src, sessionsCreated: 40, renamedSessions: 2, credentials: { token: 'imported' } });
  });

  it('an invalid dir: exit 1 with a clear message and no stack trace', async () => {
    const notPp = tempDir('not-pocketpaw-');
    cleanup.push(notPp);
    const res = await runCli(['import', notPp], home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^Error: .*${notPp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a PocketPaw data directory`, 'm'));
    expectNoStack(res.stderr);
    expect(res.stdout).toBe('');

    const missing = await runCli(['import', path.join(notPp, 'nope')], home);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: .*does not exist/m);
    expectNoStack(missing.stderr);
  });

  it('a missing argument: exit non-zero with usage help', async () => {
    const res = await runCli(['import'], home);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/missing required argument 'dir'/);
  });
});
