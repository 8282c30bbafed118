import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpManager } from '../../src/mcp/manager.js';
import { registerOAuthCallbackRoute } from '../../src/mcp/oauth/callback-route.js';
import { McpOAuthService } from '../../src/mcp/oauth/service.js';
import { registerPresetRoutes } from '../../src/mcp/preset-routes.js';
import type { ServerFrame } from '../../src/protocol/index.js';
import { startFakeAuthServer, type FakeAuthServer } from '../helpers/mcp-oauth/fake-auth-server.js';
import { startFakeMcpServer, type FakeMcpServer } from '../helpers/mcp-oauth/fake-mcp-server.js';
import { startMcpRoutesServer, type McpRoutesServer } from '../helpers/mcp-oauth/pocketpaw.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

/**
 * The wiring the app uses (README "Presets and OAuth", the report's lines): the real MCP manager
 * with McpOAuthService as its `oauth`, reconnecting through `connectNow`, and the preset routes
 * on the manager's `status`/`add`/`connectNow`.
 */
describe('MCP OAuth with the real manager', () => {
  let as: FakeAuthServer;
  let mcp: FakeMcpServer;
  let s: McpRoutesServer;
  let manager: McpManager;
  let oauth: McpOAuthService;
  const home = tempDir();
  const frames: Extract<ServerFrame, { type: 'mcp_oauth_redirect' }>[] = [];

  beforeAll(async () => {
    as = await startFakeAuthServer();
    mcp = await startFakeMcpServer(as.url, as.isValidToken);
    s = await startMcpRoutesServer((app, ctx) => {
      oauth = new McpOAuthService({ home, bus: ctx.bus, baseUrl: 'http://localhost:1', reconnect: (name) => manager.connectNow(name) });
      manager = new McpManager({ home, workspace: () => home, sandbox: ctx.tools.sandbox, env: process.env, oauth });
      registerPresetRoutes(app, {
        servers: { configured: () => Object.keys(manager.status()), add: async (c) => void manager.add(c), connectNow: (n) => manager.connectNow(n) },
      });
      registerOAuthCallbackRoute(app, oauth);
      ctx.bus.subscribe((f) => void (f.type === 'mcp_oauth_redirect' && frames.push(f)));
    });
    // As start.ts does once listening (the port is only known then).
    oauth.listeningAt('127.0.0.1', s.port);
  });
  afterAll(async () => {
    await manager?.close();
    await s?.close();
    await mcp?.close();
    await as?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a server that needs a sign-in connects after the callback; presets read the manager\'s names', async () => {
    manager.add({ name: 'remote', transport: 'streamable-http', url: mcp.url, oauth: true, enabled: true });
    const first = await manager.connectNow('remote');
    expect(first.connected).toBe(false);
    expect(frames).toHaveLength(1);
    expect(new URL(frames[0]!.url).searchParams.get('redirect_uri')).toBe(`${s.url}/api/mcp/oauth/callback`);

    const res = await fetch(frames[0]!.url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    const page = await s.remote(back.pathname + back.search);
    expect(page.status, page.text).toBe(200);
    expect(manager.status().remote).toMatchObject({ connected: true, tool_count: 1, error: '' });
    expect(frames).toHaveLength(1);

    manager.add({ name: 'time', transport: 'stdio', command: 'uvx', args: ['mcp-server-time'], enabled: false });
    const list = await s.get('/api/mcp/presets');
    expect(list.body.filter((p: { installed: boolean }) => p.installed).map((p: { id: string }) => p.id)).toEqual(['time']);
  });
});
