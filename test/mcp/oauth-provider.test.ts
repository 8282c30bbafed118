import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PENDING_FLOWS, PendingFlows } from '../../src/mcp/oauth/pending-flows.js';
import { ServerOAuthProvider } from '../../src/mcp/oauth/provider.js';
import { callbackUrl, publicBaseUrl } from '../../src/mcp/oauth/public-url.js';
import { McpOAuthService } from '../../src/mcp/oauth/service.js';
import { OAuthTokenStore } from '../../src/mcp/oauth/token-store.js';
import type { McpServerConfig } from '../../src/mcp/types.js';
import type { ServerFrame } from '../../src/protocol/index.js';
import { startFakeAuthServer, type FakeAuthServer } from '../helpers/mcp-oauth/fake-auth-server.js';
import { startFakeMcpServer, type FakeMcpServer } from '../helpers/mcp-oauth/fake-mcp-server.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

const server = (url: string, name = 'remote'): McpServerConfig => ({ name, transport: 'streamable-http', command: '', args: [], url, env: {}, enabled: true, timeout: 30, oauth: true });

describe('public callback url', () => {
  it('is derived from the bound address, wildcard binds as localhost', () => {
    expect(publicBaseUrl('0.0.0.0', 8888)).toBe('http://localhost:8888');
    expect(publicBaseUrl('::', 8888)).toBe('http://localhost:8888');
    expect(publicBaseUrl('127.0.0.1', 8000)).toBe('http://127.0.0.1:8000');
    expect(publicBaseUrl('::1', 8000)).toBe('http://[::1]:8000');
    expect(publicBaseUrl('localhost', 1)).toBe('http://localhost:1');
    expect(callbackUrl('https://paw.example.com/')).toBe('https://paw.example.com/api/mcp/oauth/callback');
  });
});

describe('pending flows', () => {
  it('are single use, expire, and are bounded', () => {
    let now = 0;
    const flows = new PendingFlows(() => now, 1000);
    const a = flows.issue(server('http://x/mcp'));
    expect(flows.take(a)?.server.name).toBe('remote');
    expect(flows.take(a)).toBeNull();
    const b = flows.issue(server('http://x/mcp'));
    now = 1000;
    expect(flows.take(b)).toBeNull();
    for (let i = 0; i < MAX_PENDING_FLOWS + 5; i++) flows.issue(server('http://x/mcp'));
    expect(flows.size).toBe(MAX_PENDING_FLOWS);
    expect(flows.take('')).toBeNull();
    expect(flows.take('x'.repeat(10_000))).toBeNull();
  });
});

describe('token store', () => {
  it('binds a record to the server url, and never lets a name escape its folder', () => {
    const home = tempDir();
    try {
      const store = new OAuthTokenStore(home);
      store.update('remote', 'https://a.example/mcp', (r) => void (r.tokens = { access_token: 'tok', token_type: 'Bearer' }));
      expect(store.read('remote', 'https://a.example/mcp').tokens?.access_token).toBe('tok');
      // The owner points the server elsewhere: its tokens must not go there.
      expect(store.read('remote', 'https://evil.example/mcp').tokens).toBeUndefined();
      for (const name of ['../../etc/passwd', 'a/b', '.hidden', '', 'x'.repeat(200)]) {
        expect(path.dirname(store.fileFor(name))).toBe(store.dir);
        expect(path.basename(store.fileFor(name))).toMatch(/^(_[0-9a-f]{32}|[A-Za-z0-9][\w.-]*)\.json$/);
      }
      expect(fs.statSync(store.fileFor('remote')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('provider', () => {
  let home: string;
  const frames: ServerFrame[] = [];
  const deps = (base = 'http://127.0.0.1:1') => ({
    server: server('https://mcp.example/mcp'),
    store: new OAuthTokenStore(home),
    flows: new PendingFlows(),
    redirectUrl: () => callbackUrl(base),
    onRedirect: (url: URL, name: string) => void frames.push({ type: 'mcp_oauth_redirect', url: url.href, server: name }),
  });
  beforeEach(() => {
    home = tempDir();
    frames.length = 0;
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('sends the browser only to http(s) urls carrying the state it issued', () => {
    const p = new ServerOAuthProvider(deps());
    const state = p.state();
    expect(() => p.redirectToAuthorization(new URL(`javascript:alert(1)//?state=${state}`))).toThrow(/not http/);
    expect(() => p.redirectToAuthorization(new URL('https://as.example/authorize?state=other'))).toThrow();
    expect(() => p.redirectToAuthorization(new URL('https://as.example/authorize'))).toThrow();
    expect(frames).toEqual([]);
    p.redirectToAuthorization(new URL(`https://as.example/authorize?state=${state}`));
    expect(frames).toEqual([{ type: 'mcp_oauth_redirect', url: `https://as.example/authorize?state=${state}`, server: 'remote' }]);
  });

  it('registers again when the callback url changed (another port)', () => {
    const first = new ServerOAuthProvider(deps('http://localhost:8888'));
    first.saveClientInformation({ client_id: 'c1', redirect_uris: [first.redirectUrl] });
    expect(first.clientInformation()?.client_id).toBe('c1');
    expect(new ServerOAuthProvider(deps('http://localhost:9999')).clientInformation()).toBeUndefined();
  });

  it('has no verifier outside a flow, and forgets everything on invalidate("all")', () => {
    const p = new ServerOAuthProvider(deps());
    expect(() => p.codeVerifier()).toThrow(/No sign-in/);
    p.saveTokens({ access_token: 'a', token_type: 'Bearer' });
    expect(p.tokens()?.access_token).toBe('a');
    p.invalidateCredentials('tokens');
    expect(p.tokens()).toBeUndefined();
    p.saveTokens({ access_token: 'b', token_type: 'Bearer' });
    p.invalidateCredentials('all');
    expect(p.tokens()).toBeUndefined();
  });
});

describe('McpOAuthService.complete', () => {
  let as: FakeAuthServer;
  let mcp: FakeMcpServer;
  let home: string;
  let now = 0;
  const frames: Extract<ServerFrame, { type: 'mcp_oauth_redirect' }>[] = [];
  let oauth: McpOAuthService;

  async function startFlow(): Promise<{ code: string; state: string }> {
    const client = new Client({ name: 't', version: '0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: oauth.providerFor(server(mcp.url)) }))).rejects.toThrow();
    const res = await fetch(frames.at(-1)!.url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
  }

  beforeAll(async () => {
    as = await startFakeAuthServer();
    mcp = await startFakeMcpServer(as.url, as.isValidToken);
  });
  afterAll(async () => {
    await mcp.close();
    await as.close();
  });
  beforeEach(() => {
    home = tempDir();
    now = Date.now();
    oauth = new McpOAuthService({
      home, bus: { publish: (f) => void (f.type === 'mcp_oauth_redirect' && frames.push(f)) },
      baseUrl: () => 'http://127.0.0.1:1', reconnect: async () => undefined, now: () => now,
    });
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('refuses a callback after 10 minutes, without exchanging the code', async () => {
    const { code, state } = await startFlow();
    now += 10 * 60 * 1000 + 1;
    const exchanges = as.log.tokenRequests.length;
    expect(await oauth.complete(code, state)).toBeNull();
    expect(as.log.tokenRequests.length).toBe(exchanges);
  });

  it('completes once within the time, and reports a failed reconnect without failing', async () => {
    const errors: string[] = [];
    oauth = new McpOAuthService({
      home, bus: { publish: (f) => void (f.type === 'mcp_oauth_redirect' && frames.push(f)) },
      baseUrl: () => 'http://127.0.0.1:1', now: () => now,
      reconnect: async () => { throw new Error('manager busy'); },
      onReconnectError: (name, err) => void errors.push(`${name}: ${(err as Error).message}`),
    });
    const { code, state } = await startFlow();
    now += 9 * 60 * 1000;
    expect(await oauth.complete(code, state)).toBe('remote');
    expect(await oauth.complete(code, state)).toBeNull();
    expect(errors).toEqual(['remote: manager busy']);
  });

  it('names the bound address in the redirect uri once the server listens', () => {
    const redirect = () => (oauth.providerFor(server(mcp.url)) as ServerOAuthProvider).redirectUrl;
    expect(redirect()).toBe('http://127.0.0.1:1/api/mcp/oauth/callback');
    oauth.listeningAt('0.0.0.0', 8123);
    expect(redirect()).toBe('http://localhost:8123/api/mcp/oauth/callback');
  });

  it("never lets a remote server's metadata point its OAuth requests at PocketPaw itself", async () => {
    oauth.listeningAt('127.0.0.1', 8123);
    for (const url of ['http://127.0.0.1:8123/api/mcp/add', 'http://localhost:8123/x', 'http://[::1]:8123/x', 'http://127.9.9.9:8123/register', 'http://[::ffff:127.0.0.1]:8123/x', 'http://2130706433:8123/x']) {
      await expect(oauth.fetch(url, { method: 'POST' }), url).rejects.toThrow(/PocketPaw itself/);
    }
    // Anything else goes through: the fake authorization server on its own port.
    expect((await oauth.fetch(`${as.url}/.well-known/oauth-authorization-server`)).status).toBe(200);
  });

  it('does not complete a state that was issued but never sent to the browser', async () => {
    const provider = oauth.providerFor(server(mcp.url)) as ServerOAuthProvider;
    const state = provider.state();
    provider.saveCodeVerifier('v'.repeat(43));
    expect(await oauth.complete('anything', state)).toBeNull();
  });
});
