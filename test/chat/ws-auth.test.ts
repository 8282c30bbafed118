import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, type ConnectOptions, type TestSocket } from '../helpers/ws-client.js';

const REMOTE = { localAddress: '127.0.0.2' }; // loopback, but not the owner (spec §2.4)

/** Connects and waits until the server either says hello or closes the socket. */
async function attempt(url: string, opts: ConnectOptions = {}): Promise<{ sock: TestSocket; info?: Record<string, unknown>; close?: { code: number; reason: string } }> {
  const sock = await connect(url, opts);
  const outcome = await Promise.race([
    sock.waitFor((f) => f.type === 'connection_info').then((info) => ({ info })).catch(() => ({})),
    sock.closed.then((close) => ({ close })),
  ]);
  if ('info' in outcome) return { sock, info: outcome.info };
  return { sock, close: await sock.closed };
}

async function expectAccepted(url: string, opts: ConnectOptions = {}): Promise<TestSocket> {
  const r = await attempt(url, opts);
  expect(r.close, 'closed instead of connection_info').toBeUndefined();
  expect(r.info).toMatchObject({ type: 'connection_info', content: 'Connected to PocketPaw' });
  return r.sock;
}

async function expectRejected(url: string, opts: ConnectOptions, code: number, reason: string): Promise<void> {
  const r = await attempt(url, opts);
  expect(r.info, 'got connection_info').toBeUndefined();
  expect(r.close).toEqual({ code, reason });
  expect(r.sock.frames).toEqual([]);
}

describe('WebSocket authentication (spec §2.5)', () => {
  let s: TestServer;
  let ws: string;
  beforeAll(async () => {
    s = await startTestServer();
    ws = `${s.url}/ws`;
  });
  afterAll(() => s.close());

  it('genuine localhost needs no credential', async () => {
    (await expectAccepted(ws)).close();
  });

  it('another loopback address without a credential is closed with 4003 Unauthorized', async () => {
    await expectRejected(ws, REMOTE, 4003, 'Unauthorized');
    await expectRejected(`${ws}?token=not-the-token`, REMOTE, 4003, 'Unauthorized');
  });

  it('?token=<master token>', async () => {
    (await expectAccepted(`${ws}?token=${s.token}`, REMOTE)).close();
  });

  it('cookie pocketpaw_session=<session token from POST /api/auth/session>', async () => {
    const res = await s.remote('/api/auth/session', { method: 'POST', headers: { authorization: `Bearer ${s.token}` } });
    expect(res.status).toBe(200);
    const token = res.body.session_token as string;
    (await expectAccepted(ws, { ...REMOTE, headers: { cookie: `pocketpaw_session=${token}` } })).close();
    // A session token is also good as ?token=.
    (await expectAccepted(`${ws}?token=${encodeURIComponent(token)}`, REMOTE)).close();
    await expectRejected(ws, { ...REMOTE, headers: { cookie: `pocketpaw_session=${token.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}` } }, 4003, 'Unauthorized');
  });

  it('Authorization: Bearer <master token>', async () => {
    (await expectAccepted(ws, { ...REMOTE, headers: { authorization: `Bearer ${s.token}` } })).close();
  });

  it('Sec-WebSocket-Protocol pp_<API key>: accepted, and that entry is echoed as the protocol', async () => {
    const created = await s.post('/api/v1/auth/api-keys', { name: 'ws-client', scopes: ['memory'] });
    expect(created.status).toBe(200);
    const key = created.body.key as string;
    expect(key.startsWith('pp_')).toBe(true);
    const sock = await expectAccepted(ws, { ...REMOTE, protocols: [key] });
    expect(sock.ws.protocol).toBe(key);
    sock.close();
    // Among other entries, the pp_ one is picked. Scopes are not checked for WebSocket use.
    const mixed = await expectAccepted(ws, { ...REMOTE, protocols: ['pocketpaw', key] });
    expect(mixed.ws.protocol).toBe(key);
    mixed.close();

    const revoked = await s.del(`/api/v1/auth/api-keys/${created.body.id}`);
    expect(revoked.status).toBe(200);
    await expectRejected(ws, { ...REMOTE, protocols: [key] }, 4003, 'Unauthorized');
  });

  it('a proxy header from 127.0.0.1 makes the request an outsider', async () => {
    await expectRejected(ws, { headers: { 'x-forwarded-for': '203.0.113.9' } }, 4003, 'Unauthorized');
    await expectRejected(ws, { headers: { 'cf-connecting-ip': '203.0.113.9' } }, 4003, 'Unauthorized');
    // With a credential the proxied client is let in.
    (await expectAccepted(`${ws}?token=${s.token}`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).close();
  });

  it('the aliases check credentials the same way', async () => {
    await expectRejected(`${s.url}/api/v1/ws`, REMOTE, 4003, 'Unauthorized');
    await expectRejected(`${s.url}/v1/ws`, REMOTE, 4003, 'Unauthorized');
    (await expectAccepted(`${s.url}/api/v1/ws?token=${s.token}`, REMOTE)).close();
  });
});

describe('WebSocket connection rate limit (spec §2.6)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      env: { POCKETPAW_RATE_LIMIT_ENABLED: 'true', POCKETPAW_RATE_LIMIT_WS_BURST: '2', POCKETPAW_RATE_LIMIT_WS_PER_SECOND: '0.01' },
    });
  });
  afterAll(() => s.close());

  it('the connection after the burst is closed with 4029 Too many connections, credentials or not', async () => {
    const first = await expectAccepted(`${s.url}/ws`);
    const second = await expectAccepted(`${s.url}/ws`);
    await expectRejected(`${s.url}/ws`, {}, 4029, 'Too many connections');
    await expectRejected(`${s.url}/ws?token=${s.token}`, {}, 4029, 'Too many connections');
    // Open sockets are not affected.
    first.send({ action: 'get_settings' });
    expect((await first.waitFor((f) => f.type === 'settings')).type).toBe('settings');
    first.close();
    second.close();
  });
});
