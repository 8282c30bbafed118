import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOAuthCallbackRoute } from '../../src/mcp/oauth/callback-route.js';
import { publicBaseUrl } from '../../src/mcp/oauth/public-url.js';
import { McpOAuthService } from '../../src/mcp/oauth/service.js';
import type { McpServerConfig } from '../../src/mcp/types.js';
import type { ServerFrame } from '../../src/protocol/index.js';
import { startFakeAuthServer, type FakeAuthServer } from '../helpers/mcp-oauth/fake-auth-server.js';
import { startFakeMcpServer, type FakeMcpServer } from '../helpers/mcp-oauth/fake-mcp-server.js';
import { startMcpRoutesServer, type McpRoutesServer } from '../helpers/mcp-oauth/pocketpaw.js';

type RedirectFrame = Extract<ServerFrame, { type: 'mcp_oauth_redirect' }>;

/** Connects as the MCP manager would: the SDK client over Streamable HTTP with our auth provider. */
async function connect(oauth: McpOAuthService, config: McpServerConfig): Promise<Client> {
  const client = new Client({ name: 'pocketpaw-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(config.url), { authProvider: oauth.providerFor(config) }));
  return client;
}

async function whoami(client: Client): Promise<string> {
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  return (result.content as { type: string; text: string }[])[0]!.text;
}

describe('MCP OAuth: the whole sign-in, through the callback route', () => {
  let as: FakeAuthServer;
  let mcp: FakeMcpServer;
  let s: McpRoutesServer;
  let oauth: McpOAuthService;
  let config: McpServerConfig;
  const frames: RedirectFrame[] = [];
  const reconnected: { server: string; answer: string }[] = [];

  /** Starts a flow the way the manager does (a connect that needs a sign-in) and returns its redirect frame. */
  async function startFlow(): Promise<RedirectFrame> {
    const before = frames.length;
    await expect(connect(oauth, config)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(frames.length).toBe(before + 1);
    return frames[frames.length - 1]!;
  }

  /** The browser: opens the authorization url, which redirects back to PocketPaw's callback. */
  async function authorize(frame: RedirectFrame): Promise<URL> {
    const res = await fetch(frame.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  beforeAll(async () => {
    as = await startFakeAuthServer();
    mcp = await startFakeMcpServer(as.url, as.isValidToken);
    s = await startMcpRoutesServer((app, ctx, port) => {
      oauth = new McpOAuthService({
        home: ctx.home,
        bus: ctx.bus,
        baseUrl: () => publicBaseUrl('127.0.0.1', port()),
        // The manager's reconnect: a fresh connection that must now be signed in.
        reconnect: async (server) => {
          const client = await connect(oauth, config);
          reconnected.push({ server, answer: await whoami(client) });
          await client.close();
        },
      });
      registerOAuthCallbackRoute(app, oauth);
      ctx.bus.subscribe((f) => void (f.type === 'mcp_oauth_redirect' && frames.push(f)));
    });
    config = { name: 'remote', transport: 'streamable-http', command: '', args: [], url: mcp.url, env: {}, enabled: true, timeout: 30, oauth: true };
  });
  afterAll(async () => {
    await s?.close();
    await mcp?.close();
    await as?.close();
  });

  it('redirect frame → authorize → callback → tokens stored (mode 600) → authenticated MCP call', async () => {
    const frame = await startFlow();
    expect(frame.server).toBe('remote');
    const authUrl = new URL(frame.url);
    expect(authUrl.origin + authUrl.pathname).toBe(`${as.url}/authorize`);
    expect(authUrl.searchParams.get('redirect_uri')).toBe(`${s.url}/api/mcp/oauth/callback`);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(as.log.registrations).toHaveLength(1);

    const callback = await authorize(frame);
    expect(callback.origin).toBe(s.url);
    // The browser arrives without any PocketPaw credential, from another address than the owner's.
    const page = await s.remote(callback.pathname + callback.search);
    expect(page.status, page.text).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('remote is connected');
    expect(page.text).not.toContain(callback.searchParams.get('code')!);
    expect(page.text).not.toContain(callback.searchParams.get('state')!);
    expect(reconnected).toEqual([{ server: 'remote', answer: 'signed in' }]);

    const file = path.join(s.home, 'mcp_oauth', 'remote.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(as.isValidToken(stored.tokens.access_token)).toBe(true);
    expect(stored).toMatchObject({ server_url: mcp.url, redirect_uri: `${s.url}/api/mcp/oauth/callback`, client_information: { client_id: as.log.registrations[0]!.client_id } });
    expect(JSON.stringify(stored)).not.toContain('code_verifier');

    // A later start uses the stored tokens: no new sign-in, no new frame.
    const before = frames.length;
    const client = await connect(oauth, config);
    expect(await whoami(client)).toBe('signed in');
    await client.close();
    expect(frames.length).toBe(before);
    expect(oauth.pendingCount).toBe(0);
  });

  it('a replayed callback is refused and exchanges nothing', async () => {
    fs.rmSync(path.join(s.home, 'mcp_oauth'), { recursive: true, force: true });
    const callback = await authorize(await startFlow());
    expect((await s.remote(callback.pathname + callback.search)).status).toBe(200);
    const exchanges = as.log.tokenRequests.length;
    const replay = await s.remote(callback.pathname + callback.search);
    expect(replay.status).toBe(400);
    expect(replay.headers['content-type']).toMatch(/^text\/html/);
    expect(replay.text).toContain('unknown, expired or already used');
    // Same state on the other family: spent too.
    expect((await s.remote(`/api/v1/mcp/oauth/callback${callback.search}`)).status).toBe(400);
    expect(as.log.tokenRequests.length).toBe(exchanges);
  });

  it('an unknown state is refused, even with a code the authorization server issued', async () => {
    fs.rmSync(path.join(s.home, 'mcp_oauth'), { recursive: true, force: true });
    const callback = await authorize(await startFlow());
    const forged = new URLSearchParams({ code: callback.searchParams.get('code')!, state: 'A'.repeat(43) });
    const exchanges = as.log.tokenRequests.length;
    const res = await s.remote(`/api/mcp/oauth/callback?${forged}`);
    expect(res.status).toBe(400);
    expect(as.log.tokenRequests.length).toBe(exchanges);
    // The real state still works afterwards: a wrong guess does not spend it.
    expect((await s.remote(callback.pathname + callback.search)).status).toBe(200);
  });

  it('a code the authorization server refuses spends the state and says so without details', async () => {
    oauth.forget('remote');
    const state = new URL((await startFlow()).url).searchParams.get('state')!;
    const res = await s.remote(`/api/mcp/oauth/callback?code=bogus&state=${state}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('could not be completed');
    expect(res.text).not.toContain('bogus');
    expect(as.log.tokenRequests.at(-1)).toMatchObject({ ok: false, reason: 'unknown or used code' });
    expect((await s.remote(`/api/mcp/oauth/callback?code=bogus&state=${state}`)).text).toContain('already used');
  });

  it('missing or repeated parameters: 400 HTML on both families', async () => {
    for (const q of ['', '?code=abc', '?state=abc', '?code=&state=', '?code=a&code=b&state=c']) {
      for (const prefix of ['/api', '/api/v1']) {
        const res = await s.remote(`${prefix}/mcp/oauth/callback${q}`);
        expect(res.status, `${prefix} ${q}`).toBe(400);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('missing its code or state');
      }
    }
  });

  it('never reflects its input: script and markup in code and state stay out of the page', async () => {
    const evil = new URLSearchParams({ code: '<script>alert(1)</script>', state: '"><img src=x onerror=alert(document.cookie)>' });
    const res = await s.remote(`/api/mcp/oauth/callback?${evil}`);
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/<script|<img|onerror|alert/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const huge = await s.remote(`/api/mcp/oauth/callback?code=x&state=${'s'.repeat(5000)}`);
    expect(huge.status).toBe(400);
  });

  it('other methods are not public: POST to the callback needs a credential', async () => {
    const res = await s.remote('/api/mcp/oauth/callback?code=a&state=b', { method: 'POST' });
    expect(res.status).toBe(401);
  });
});

describe('MCP OAuth callback logs', () => {
  it('keep the code and the state out of the log, even at info level', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = Fastify({ logger: { level: 'info', stream } });
    registerOAuthCallbackRoute(app, { complete: async () => null });
    const ok = Fastify({ logger: { level: 'info', stream } });
    ok.get('/other', async () => 'x');
    await Promise.all([app.ready(), ok.ready()]);
    const res = await app.inject({ url: '/api/mcp/oauth/callback?code=SECRETCODE123&state=SECRETSTATE456' });
    expect(res.statusCode).toBe(400);
    await ok.inject({ url: '/other?probe=1' });
    // The logger works (the other route's request is there); the callback's is not.
    expect(lines.some((l) => l.includes('probe=1'))).toBe(true);
    expect(lines.join('')).not.toMatch(/SECRETCODE123|SECRETSTATE456/);
    await Promise.all([app.close(), ok.close()]);
  });
});
