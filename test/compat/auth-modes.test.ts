import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, connectChat } from '../helpers/ws-client.js';
import { allCallers, anonymousRemote, keyCaller, loginCookie, sessionToken, type Caller } from './helpers.js';

let s: TestServer;
let callers: Caller[];
beforeAll(async () => {
  s = await startTestServer();
  callers = await allCallers(s);
});
afterAll(() => s.close());

const CHANNELS = ['discord', 'slack', 'whatsapp', 'telegram', 'signal', 'matrix', 'teams', 'google_chat'];

describe('GET /api/channels/status: the dashboard\'s auth probe (spec §3.7)', () => {
  it('2xx from the owner on localhost with no credential; 401 from another machine without one', async () => {
    expect((await s.get('/api/channels/status')).status).toBe(200);
    const anon = await anonymousRemote(s).get('/api/channels/status');
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({ detail: 'Unauthorized' });
  });

  it('all 8 channels, not configured, not running, autostart on; whatsapp adds its mode — under every auth mode', async () => {
    for (const c of callers) {
      for (const path of ['/api/channels/status', '/api/v1/channels/status']) {
        const res = await c.get(path);
        expect(res.status, `${c.name} ${path}`).toBe(200);
        expect(Object.keys(res.body)).toEqual(CHANNELS);
        for (const name of CHANNELS) {
          const expected: Record<string, unknown> = { configured: false, running: false, autostart: true };
          if (name === 'whatsapp') expected.mode = 'personal';
          expect(res.body[name], `${c.name} ${name}`).toEqual(expected);
        }
      }
    }
  });

  it('autostart and the WhatsApp mode follow PocketPaw\'s channel_autostart and whatsapp_mode in config.json', async () => {
    const other = await startTestServer({ config: { channel_autostart: { telegram: false, slack: true }, whatsapp_mode: 'business' } });
    try {
      const body = (await other.get('/api/channels/status')).body;
      expect(body.telegram).toEqual({ configured: false, running: false, autostart: false });
      expect(body.slack.autostart).toBe(true);
      expect(body.whatsapp).toEqual({ configured: false, running: false, autostart: true, mode: 'business' });
    } finally {
      await other.close();
    }
  });

  it('API keys need the channels scope (admin satisfies it)', async () => {
    const channels = await createKey(s, { name: 'channels', scopes: ['channels'] });
    const sessions = await createKey(s, { name: 'sessions', scopes: ['sessions'] });
    const admin = await createKey(s, { name: 'admin', scopes: ['admin'] });
    expect((await keyCaller(s, channels.key).get('/api/channels/status')).status).toBe(200);
    expect((await keyCaller(s, admin.key).get('/api/v1/channels/status')).status).toBe(200);
    const denied = await keyCaller(s, sessions.key).get('/api/channels/status');
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'API key missing required scope: channels' });
  });
});

describe('session token and login cookie (spec §3.2)', () => {
  it('POST /api/auth/session with Bearer <master>: the token then works as Bearer and as ?token= on /ws', async () => {
    const res = await s.remote('/api/auth/session', { method: 'POST', headers: { authorization: `Bearer ${s.token}` } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['expires_in_hours', 'session_token']);
    expect(res.body.expires_in_hours).toBe(24);
    expect(res.body.session_token).toMatch(/^\d+:[0-9a-f]{64}$/);
    const token = res.body.session_token as string;
    expect((await s.remote('/api/sessions?limit=100', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const sock = await connectChat(`${s.url}/ws?token=${encodeURIComponent(token)}`, { localAddress: '127.0.0.2' });
    expect(sock.frames[0]).toMatchObject({ type: 'connection_info', content: 'Connected to PocketPaw' });
    sock.close();
  });

  it('POST /api/auth/login sets an HttpOnly Path=/ cookie that authenticates /api/* and the /ws upgrade', async () => {
    const res = await s.remote('/api/auth/login', { method: 'POST', json: { token: s.token } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    const setCookie = res.headers['set-cookie']![0]!;
    expect(setCookie).toMatch(/^pocketpaw_session=[^;]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Path=/');
    const cookie = setCookie.split(';')[0]!;
    expect((await s.remote('/api/channels/status', { headers: { cookie } })).status).toBe(200);
    const sock = await connectChat(`${s.url}/ws`, { headers: { cookie }, localAddress: '127.0.0.2' });
    expect(sock.frames[0]!.type).toBe('connection_info');
    sock.close();
  });

  it('a socket from another machine without a credential is closed 4003', async () => {
    const sock = await connect(`${s.url}/ws`, { localAddress: '127.0.0.2' });
    expect(await sock.closed).toEqual({ code: 4003, reason: 'Unauthorized' });
  });
});

describe('never 401/403 to a valid credential on what the dashboard calls', () => {
  const DASHBOARD_GETS = [
    '/api/channels/status', '/api/backends', '/api/qr?t=1767225600000', '/api/sessions?limit=100', '/api/identity',
    '/api/version', '/api/skills', '/api/health', '/api/v1/reminders', '/api/v1/intentions', '/api/v1/backends', '/api/v1/identity',
  ];

  it('every GET answers 200 under every auth mode', async () => {
    for (const c of callers) {
      for (const path of DASHBOARD_GETS) {
        const res = await c.get(path);
        expect(res.status, `${c.name} GET ${path}: ${res.text.slice(0, 200)}`).toBe(200);
      }
    }
  });

  it('/api/qr is a PNG; /api/version is {current, latest, update_available}', async () => {
    for (const c of callers) {
      const qr = await c.get(`/api/qr?t=${Date.now()}`);
      expect(qr.headers['content-type']).toBe('image/png');
      expect(qr.raw.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const v = await c.get('/api/version');
      expect(Object.keys(v.body).sort()).toEqual(['current', 'latest', 'update_available']);
      expect(v.body.update_available).toBe(false);
    }
  });

  it('an unrelated fresh session token and cookie also work (minted per client)', async () => {
    const token = await sessionToken(s);
    const cookie = await loginCookie(s);
    expect((await s.remote('/api/backends', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await s.remote('/api/identity', { headers: { cookie } })).status).toBe(200);
  });
});
