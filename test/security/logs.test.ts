import fs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expectNoStack, startServe } from '../cli/cli.js';
import { request } from '../helpers/http.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const home = tempDir();
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(`${home}-workspace`, { recursive: true, force: true });
});

describe('server logs', () => {
  it('never hold ?token= values, bearer tokens or cookies, even at info level', async () => {
    const server = await startServe(home, ['serve', '--port', '0'], { POCKETPAW_LOG_LEVEL: 'info' });
    try {
      const token = fs.readFileSync(`${home}/access_token`, 'utf8').trim();
      expect((await request(server.url, `/api/v1/sessions?token=${token}&limit=5`)).status).toBe(200);
      expect((await request(server.url, '/api/v1/sessions', { headers: { authorization: `Bearer ${token}`, cookie: `pocketpaw_session=${token}` } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      const out = server.stdout() + server.stderr();
      expect(out).toContain('/api/v1/sessions?token=[REDACTED]&limit=5');
      expect(out).not.toContain(token);
    } finally {
      await server.kill();
    }
  });

  it('say plainly when bound beyond loopback that remote clients need the token', async () => {
    const server = await startServe(home, ['serve', '--port', '0', '--host', '0.0.0.0']);
    try {
      for (let i = 0; i < 40 && !server.stdout().includes('Warning:'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(server.stdout()).toMatch(/Warning: Listening on 0\.0\.0\.0, beyond this machine: other devices can reach PocketPaw and must send the access token/);
      expectNoStack(server.stderr());
    } finally {
      await server.kill();
    }
  });
});
