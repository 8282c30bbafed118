import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { expectNoStack, runCli } from './cli.js';

// Each case spawns the real CLI (about a second of startup, more on a busy machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

function homeWithConfig(text: string): string {
  const home = tempDir();
  homes.push(home);
  fs.writeFileSync(path.join(home, 'config.json'), text);
  return home;
}

describe('a bad configuration stops the CLI with a clear message', () => {
  it('a wrongly typed setting in config.json: exit 1 naming web_port and the file', async () => {
    const home = homeWithConfig('{"web_port":"abc"}');
    for (const args of [['serve', '--port', '0'], ['sessions', 'list']]) {
      const res = await runCli(args, home);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr).toMatch(/^Error: .*web_port/m);
      expect(res.stderr).toContain(path.join(home, 'config.json'));
      expect(res.stderr).toContain('"abc"');
      expectNoStack(res.stderr);
      expect(res.stdout).toBe('');
    }
  });

  it('config.json that is not JSON: exit 1 saying so', async () => {
    const home = homeWithConfig('{"web_port": 8888,');
    const res = await runCli(['serve', '--port', '0'], home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: .*config\.json is not valid JSON/m);
    expectNoStack(res.stderr);
  });

  it('config.json that is JSON but not an object: exit 1 saying so', async () => {
    const home = homeWithConfig('[1, 2]');
    const res = await runCli(['token'], home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: .*config\.json must hold a JSON object/m);
    expectNoStack(res.stderr);
    // The token command stopped before creating a token.
    expect(fs.existsSync(path.join(home, 'access_token'))).toBe(false);
  });

  it('a bad environment value: exit 1 naming the variable', async () => {
    const home = tempDir();
    homes.push(home);
    const res = await runCli(['serve', '--port', '0'], home, { POCKETPAW_WEB_PORT: 'abc' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: .*POCKETPAW_WEB_PORT/m);
    expectNoStack(res.stderr);
  });

  it('a valid config.json is accepted', async () => {
    const home = homeWithConfig('{"web_port": 9999, "some_future_setting": true}');
    const res = await runCli(['sessions', 'list'], home);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('0 of 0 sessions');
  });
});
