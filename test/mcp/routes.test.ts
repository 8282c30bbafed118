import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSseServer, startStreamableServer, type HttpMcpServer } from '../helpers/mcp/http-servers.js';
import { stdioServer, statusOf, waitConnected } from '../helpers/mcp/configs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Spec §3.10 over REST on a real server, against real MCP servers (stdio, Streamable HTTP, legacy SSE). */
let s: TestServer;
let streamable: HttpMcpServer;
let sse: HttpMcpServer;
beforeAll(async () => {
  [s, streamable, sse] = await Promise.all([startTestServer(), startStreamableServer(), startSseServer()]);
});
afterAll(async () => {
  await s.close();
  await Promise.all([streamable.close(), sse.close()]);
});

const file = () => path.join(s.home, 'mcp_servers.json');
const saved = () => JSON.parse(fs.readFileSync(file(), 'utf8')) as { servers: Record<string, unknown>[] };

describe('/api/mcp/* and /api/v1/mcp/*', () => {
  it('with no servers: status is empty on both families', async () => {
    for (const p of ['/api/mcp/status', '/api/v1/mcp/status']) {
      const res = await s.get(p);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    }
  });

  it('add saves PocketPaw\'s format (mode 600) and connects Streamable HTTP and legacy SSE servers in the background', async () => {
    expect((await s.post('/api/v1/mcp/add', { name: 'remote', transport: 'streamable-http', url: streamable.url })).body).toEqual({ status: 'ok' });
    expect((await s.post('/api/mcp/add', { name: 'legacy', transport: 'http', url: sse.url, timeout: 10 })).body).toEqual({ status: 'ok' });
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(saved().servers[0]).toEqual({ name: 'remote', transport: 'streamable-http', command: '', args: [], url: streamable.url, env: {}, enabled: true, timeout: 30 });
    expect(await waitConnected(s, 'remote')).toEqual({ connected: true, tool_count: 2, error: '', transport: 'streamable-http', enabled: true, tools: expect.any(Array) });
    expect(await waitConnected(s, 'legacy')).toMatchObject({ connected: true, tool_count: 2, transport: 'http' });
    const names = s.server.ctx.tools.registry.all().map((t) => t.name).filter((n) => n.startsWith('mcp__'));
    expect(names.sort()).toEqual(['mcp__legacy__shout', 'mcp__legacy__weird_name', 'mcp__remote__shout', 'mcp__remote__weird_name']);
    const shout = s.server.ctx.tools.registry.get('mcp__legacy__shout')!;
    expect(shout).toMatchObject({ group: 'mcp', extraGroups: ['mcp:legacy'], mcpServer: 'legacy', trust: 'sensitive', untrustedOutput: true });
    expect(await s.server.ctx.mcp.call('legacy', 'shout', { text: 'hi' })).toBe('sse: HI');
    expect(await s.server.ctx.mcp.call('remote', 'shout', { text: 'hi' })).toBe('streamable: HI');
  });

  it('bad input is a 400 {"detail"} and changes nothing', async () => {
    const before = fs.readFileSync(file(), 'utf8');
    const cases: [unknown, RegExp][] = [
      [{}, /Server name is required/],
      [{ name: '  ' }, /Server name is required/],
      [{ name: 'bad name!' }, /1–64 letters/],
      [{ name: 'x'.repeat(65) }, /1–64 letters/],
      [{ name: 'ok', transport: 'carrier-pigeon' }, /transport/],
      [{ name: 'ok', args: 'not-a-list' }, /args/],
      [{ name: 'ok', env: { A: 1 } }, /env/],
      [{ name: 'ok', timeout: -1 }, /timeout/],
    ];
    for (const [body, detail] of cases) {
      const res = await s.post('/api/v1/mcp/add', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { detail: string }).detail).toMatch(detail);
    }
    expect((await s.post('/api/v1/mcp/remove', {})).status).toBe(400);
    expect((await s.post('/api/v1/mcp/toggle', { name: 7 })).status).toBe(400);
    expect(fs.readFileSync(file(), 'utf8')).toBe(before);
  });

  it('remove and toggle of an unknown server: the legacy 200 {"error"}', async () => {
    for (const p of ['/api/mcp', '/api/v1/mcp']) {
      expect((await s.post(`${p}/remove`, { name: 'nope' })).body).toEqual({ error: "Server 'nope' not found" });
      expect((await s.post(`${p}/toggle`, { name: 'nope' })).body).toEqual({ error: "Server 'nope' not found" });
    }
  });

  it('toggle: connected → stopped and disabled (tools gone); again → enabled and connected', async () => {
    expect((await s.post('/api/v1/mcp/toggle', { name: 'remote' })).body).toEqual({ status: 'ok', enabled: false });
    expect(await statusOf(s, 'remote')).toEqual({ connected: false, tool_count: 0, error: '', transport: 'streamable-http', enabled: false });
    expect(s.server.ctx.tools.registry.get('mcp__remote__shout')).toBeUndefined();
    expect(saved().servers.find((x) => x.name === 'remote')!.enabled).toBe(false);
    expect((await s.post('/api/v1/mcp/toggle', { name: 'remote' })).body).toEqual({ status: 'ok', enabled: true, connected: true });
    expect(s.server.ctx.tools.registry.get('mcp__remote__shout')).toBeDefined();
    // Ours: status lists a connected server's tools.
    expect((await statusOf(s, 'remote'))!.tools).toEqual([{ name: 'shout', description: 'Upper-cases the text' }, { name: 'weird.name', description: 'A tool whose name needs cleaning' }]);
  });

  it('toggle with enabled:false turns off a server that is on but not connected (a plain toggle would restart it)', async () => {
    await s.post('/api/v1/mcp/add', { name: 'down', transport: 'streamable-http', url: 'http://127.0.0.1:9/mcp', timeout: 1 });
    expect((await s.post('/api/v1/mcp/toggle', { name: 'down', enabled: false })).body).toEqual({ status: 'ok', enabled: false });
    expect(saved().servers.find((x) => x.name === 'down')!.enabled).toBe(false);
    expect(await statusOf(s, 'down')).toMatchObject({ connected: false, enabled: false });
    await s.post('/api/v1/mcp/remove', { name: 'down' });
  });

  it('test connects, lists the tools and disconnects; a bad config answers connected:false with the error', async () => {
    const ok = await s.post('/api/v1/mcp/test', { transport: 'streamable-http', url: streamable.url });
    expect(ok.body).toEqual({ connected: true, tools: [{ name: 'shout', description: 'Upper-cases the text' }, { name: 'weird.name', description: 'A tool whose name needs cleaning' }] });
    const stdio = await s.post('/api/mcp/test', stdioServer('test'));
    expect((stdio.body as { connected: boolean; tools: unknown[] }).tools).toHaveLength(8);
    const bad = await s.post('/api/v1/mcp/test', { transport: 'streamable-http', url: 'http://127.0.0.1:9/mcp', timeout: 2 });
    expect(bad.body).toMatchObject({ connected: false, tools: [] });
    expect((bad.body as { error: string }).error).toBeTruthy();
    const missing = await s.post('/api/v1/mcp/test', { transport: 'stdio', command: '/nonexistent/program' });
    expect(missing.body).toMatchObject({ connected: false, tools: [] });
    expect(await statusOf(s, 'test')).toBeUndefined(); // nothing saved
  });

  it('a server that is down when added is retried with backoff and connects once it is up, without a toggle', async () => {
    const first = await startStreamableServer();
    const port = Number(new URL(first.url).port);
    await first.close();
    await s.post('/api/v1/mcp/add', { name: 'late', transport: 'streamable-http', url: first.url, timeout: 2 });
    for (let i = 0; i < 100 && !(await statusOf(s, 'late'))?.error.includes('restarting'); i++) await new Promise((r) => setTimeout(r, 50));
    expect((await statusOf(s, 'late'))!.error).toMatch(/restarting in \d+ s \(attempt \d+\)/);
    const up = await startStreamableServer(port);
    try {
      expect(await waitConnected(s, 'late')).toMatchObject({ connected: true, error: '' });
    } finally {
      await s.post('/api/v1/mcp/remove', { name: 'late' });
      await up.close();
    }
  });

  it('a server that cannot start shows why in status', async () => {
    await s.post('/api/v1/mcp/add', { name: 'broken', transport: 'stdio', command: '' });
    expect(await statusOf(s, 'broken')).toMatchObject({ connected: false, error: "Server 'broken' has no command" });
    await s.post('/api/v1/mcp/add', { name: 'gone', transport: 'stdio', command: '/nonexistent/mcp-server', timeout: 5 });
    let st: Record<string, any> | undefined;
    for (let i = 0; i < 100 && !(st = await statusOf(s, 'gone'))?.error; i++) await new Promise((r) => setTimeout(r, 50));
    expect(st).toMatchObject({ connected: false, enabled: true });
    expect(st!.error).not.toBe('');
  });

  it('edits to the file (the CLI, by hand) take effect on the next status or turn, unknown fields kept', async () => {
    const doc = saved();
    doc.servers = doc.servers.filter((x) => x.name !== 'legacy');
    (doc as Record<string, unknown>).comment = 'kept';
    doc.servers.push({ name: 'later', transport: 'streamable-http', url: streamable.url, registry_ref: 'io.example/later', future_field: { a: 1 } });
    fs.writeFileSync(file(), JSON.stringify(doc));
    expect(await statusOf(s, 'legacy')).toBeUndefined();
    expect(await waitConnected(s, 'later')).toMatchObject({ connected: true, registry_ref: 'io.example/later' });
    expect(s.server.ctx.tools.registry.get('mcp__legacy__shout')).toBeUndefined();
    expect((await s.post('/api/v1/mcp/remove', { name: 'broken' })).body).toEqual({ status: 'ok' });
    const after = saved() as Record<string, any>;
    expect(after.comment).toBe('kept');
    expect(after.servers.find((x: { name: string }) => x.name === 'later').future_field).toEqual({ a: 1 });
  });

  it('needs the admin scope', async () => {
    const res = await s.remote('/api/v1/mcp/status');
    expect(res.status).toBe(401);
  });
});
