import fs from 'node:fs';
import http from 'node:http';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { request } from '../helpers/http.js';
import { expectNoStack, freePort, runCli, startServe, type ServeProcess } from './cli.js';

// Each case spawns the real CLI (about a second of startup, more on a busy machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const home = tempDir();

/** Idle sockets the agent holds open to the server. */
function idleSockets(agent: http.Agent): number {
  return Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
}
const running: ServeProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.kill();
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('pocketpaw serve', () => {
  it('listens on --port, answers /api/v1/version, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const server = await startServe(home, ['serve', '--port', String(port)]);
    running.push(server);
    expect(server.port).toBe(port);
    expect(server.url).toBe(`http://127.0.0.1:${port}`);
    expect(server.stdout()).toContain(`PocketPaw ${VERSION} — API on http://127.0.0.1:${port}`);

    const res = await request(server.url, '/api/v1/version');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: VERSION });

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toContain('SIGTERM: shutting down');
    expectNoStack(server.stderr());
    await expect(request(server.url, '/api/v1/version')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('SIGTERM with an idle keep-alive connection open still exits 0', async () => {
    const server = await startServe(home);
    running.push(server);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        http.get(`${server.url}/api/v1/version`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
      expect(status).toBe(200);
      expect(idleSockets(agent)).toBe(1);
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
    } finally {
      agent.destroy();
    }
  });

  it('exits 0 on SIGINT too', async () => {
    const server = await startServe(home);
    running.push(server);
    expect((await request(server.url, '/api/v1/version')).status).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('a second server on the same port: exit 1, "already in use", no stack trace; the first keeps serving', async () => {
    const first = await startServe(home);
    running.push(first);
    const otherHome = tempDir();
    const second = await runCli(['serve', '--port', String(first.port)], otherHome);
    fs.rmSync(otherHome, { recursive: true, force: true });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^Error: .*already in use/m);
    expect(second.stderr).toContain(String(first.port));
    expectNoStack(second.stderr);
    expect((await request(first.url, '/api/v1/version')).status).toBe(200);
  });

  it('an address that is not this machine\'s: exit 1 with a clear message, no stack trace', async () => {
    const res = await runCli(['serve', '--host', '192.0.2.1', '--port', '0'], home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: Cannot listen: .*192\.0\.2\.1.*--host/m);
    expectNoStack(res.stderr);
  });

  it('without a command runs the dashboard mode; serve has no dashboard page', async () => {
    const dashboard = await startServe(home, ['--port', '0']);
    running.push(dashboard);
    expect(dashboard.stdout()).toMatch(/— Dashboard on http:\/\/127\.0\.0\.1:\d+\n/);
    const page = await request(dashboard.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect((await request(dashboard.url, '/api/v1/version')).status).toBe(200);

    const api = await startServe(home);
    running.push(api);
    expect((await request(api.url, '/')).status).toBe(404);
    expect((await request(api.url, '/api/sessions')).status).toBe(200);
  });

  it('rejects a port that is not a number', async () => {
    const res = await runCli(['serve', '--port', 'abc'], home);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/port/i);
    expectNoStack(res.stderr);
  });
});
