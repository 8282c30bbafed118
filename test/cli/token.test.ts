import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { request } from '../helpers/http.js';
import { runCli, startServe } from './cli.js';

// Each case spawns the real CLI (about a second of startup, more on a busy machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const home = tempDir();
const tokenFile = path.join(home, 'access_token');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('pocketpaw token', () => {
  it('prints the master token, creating it (mode 600) on first use', async () => {
    const res = await runCli(['token'], home);
    expect(res.code, res.stderr).toBe(0);
    const token = res.stdout.trim();
    expect(token).toMatch(UUID4);
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect((await runCli(['token'], home)).stdout.trim()).toBe(token);
  });

  it('prints a token that is already there', async () => {
    fs.writeFileSync(tokenFile, 'c0ffee00-1234-4abc-8def-0123456789ab', { mode: 0o600 });
    expect((await runCli(['token'], home)).stdout).toBe('c0ffee00-1234-4abc-8def-0123456789ab\n');
  });

  it('--regenerate replaces it with a new one, which a server then accepts', async () => {
    const before = fs.readFileSync(tokenFile, 'utf8').trim();
    const res = await runCli(['token', '--regenerate'], home);
    expect(res.code, res.stderr).toBe(0);
    const token = res.stdout.trim();
    expect(token).toMatch(UUID4);
    expect(token).not.toBe(before);
    expect(res.stderr).toMatch(/sign in again/);
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect((await runCli(['token'], home)).stdout.trim()).toBe(token);

    const server = await startServe(home);
    try {
      // From 127.0.0.2: not the owner's localhost, so only the token lets the request in.
      const remote = (t: string) => request(server.url, '/api/v1/sessions', { headers: { authorization: `Bearer ${t}` }, localAddress: '127.0.0.2' });
      expect((await remote(token)).status).toBe(200);
      expect((await remote(before)).status).toBe(401);
    } finally {
      await server.kill();
    }
  });
});
