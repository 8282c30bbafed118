import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QR_OPTIONS } from '../../../src/channels/telegram/pairing-routes.js';
import { bearer, createKey } from '../../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { FakeTelegram } from './fake-telegram.js';

/** Spec §3.21 through a real server: both path families, the whole pairing, and who may not use it. */

let fake: FakeTelegram;
let s: TestServer;

beforeAll(async () => {
  fake = await FakeTelegram.start([{ username: 'my_paw_bot' }]);
  s = await startTestServer({ env: { POCKETPAW_TELEGRAM_API_BASE_URL: fake.apiRoot } });
});
afterAll(async () => {
  await s.close();
  await fake.close();
});

async function waitRunning(server: TestServer, running: boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await server.get('/api/channels/status')).body.telegram.running !== running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect((await server.get('/api/channels/status')).body.telegram.running).toBe(running);
}

const DEEP_LINK = /^https:\/\/t\.me\/my_paw_bot\?start=([A-Za-z0-9_-]{43})$/;

describe('errors, in each family\'s shape', () => {
  it('no token: legacy says so with 200, v1 is a 422', async () => {
    expect((await s.post('/api/telegram/setup', {})).body).toEqual({ error: 'Bot token is required' });
    expect((await s.post('/api/telegram/setup', { bot_token: '   ' })).body).toEqual({ error: 'Bot token is required' });
    const v1 = await s.post('/api/v1/telegram/setup', { bot_token: '' });
    expect(v1.status).toBe(422);
    expect(v1.body.detail[0].loc).toEqual(['body', 'bot_token']);
  });

  it('a token Telegram rejects: the reason, and qr_url/deep_link empty on v1', async () => {
    const legacy = await s.post('/api/telegram/setup', { bot_token: '42:rejected-token' });
    expect(legacy.body).toEqual({ error: 'Failed to connect to Telegram: Telegram rejected the bot token' });
    const v1 = await s.post('/api/v1/telegram/setup', { bot_token: '42:rejected-token' });
    expect(v1.status).toBe(200);
    expect(v1.body).toEqual({ qr_url: '', deep_link: '', error: 'Failed to connect to Telegram: Telegram rejected the bot token' });
  });
});

describe('pairing through the routes', () => {
  it('status before: not configured; setup gives the QR of the deep link; /start pairs; status says who', async () => {
    for (const base of ['/api', '/api/v1']) {
      expect((await s.get(`${base}/telegram/status`)).body).toEqual({ configured: false, user_id: null });
    }
    const legacy = await s.post('/api/telegram/setup', { bot_token: fake.token });
    expect(legacy.status).toBe(200);
    expect(Object.keys(legacy.body).sort()).toEqual(['deep_link', 'qr_url']);
    expect(legacy.body.deep_link).toMatch(DEEP_LINK);

    // The v1 setup replaces the legacy one: only its secret pairs.
    const setup = await s.post('/api/v1/telegram/setup', { bot_token: fake.token });
    expect(setup.body.error).toBeNull();
    expect(setup.body.deep_link).toMatch(DEEP_LINK);
    expect(setup.body.qr_url).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/);
    expect(Buffer.from(setup.body.qr_url.split(',')[1], 'base64').subarray(1, 4).toString()).toBe('PNG');
    // The picture is exactly the QR code of the deep link.
    expect(setup.body.qr_url).toBe(await QRCode.toDataURL(setup.body.deep_link, QR_OPTIONS));
    expect((await s.get('/api/v1/telegram/pairing-status')).body).toEqual({ paired: false, user_id: null });

    const oldSecret = DEEP_LINK.exec(legacy.body.deep_link)![1]!;
    const secret = DEEP_LINK.exec(setup.body.deep_link)![1]!;
    let from = fake.calls.length;
    fake.pushMessage({ chatId: 555, fromId: 555, text: `/start ${oldSecret}`, username: 'eve' });
    await fake.waitFor('sendMessage', (c) => c.params.chat_id === 555, { from });
    expect((await s.get('/api/telegram/pairing-status')).body).toEqual({ paired: false, user_id: null });

    from = fake.calls.length;
    fake.pushMessage({ chatId: 8151, fromId: 8151, text: `/start ${secret}`, username: 'owner' });
    const reply = await fake.waitFor('sendMessage', (c) => c.params.chat_id === 8151, { from });
    expect(String(reply.params.text)).toMatch(/^Paired!/);
    for (const base of ['/api', '/api/v1']) {
      expect((await s.get(`${base}/telegram/pairing-status`)).body).toEqual({ paired: true, user_id: 8151 });
      expect((await s.get(`${base}/telegram/status`)).body).toEqual({ configured: true, user_id: 8151 });
    }
    const settings = (await s.get('/api/v1/settings')).body;
    expect(settings).toMatchObject({ allowed_user_id: '8151', has_telegram_bot_token: true });
    expect(JSON.stringify(settings)).not.toContain(fake.token);
    const audit = (await s.get('/api/v1/audit?action=telegram_paired')).body;
    expect(JSON.stringify(audit)).toContain('telegram:8151');
    expect(JSON.stringify(audit)).not.toContain(secret);
    // Autostart is on (the default): once paired, the channel starts with the new token by itself.
    await waitRunning(s, true);
    await s.post('/api/channels/toggle', { channel: 'telegram', action: 'stop' });
  });
});

describe('only the owner may pair (it decides who drives the agent)', () => {
  const doors: Array<[string, string]> = [
    ['POST', '/api/telegram/setup'], ['POST', '/api/v1/telegram/setup'],
    ['GET', '/api/telegram/status'], ['GET', '/api/v1/telegram/status'],
    ['GET', '/api/telegram/pairing-status'], ['GET', '/api/v1/telegram/pairing-status'],
  ];

  it('scoped API keys (chat, channels, settings:write) are refused at every door, and nothing starts', async () => {
    const from = fake.calls.length;
    for (const scopes of [['chat'], ['channels'], ['settings:write', 'settings:read']]) {
      const key = await createKey(s, { name: `scoped-${scopes.join('-')}`, scopes });
      for (const [method, path] of doors) {
        const res = await s.remote(path, { method, headers: bearer(key.key), ...(method === 'POST' ? { json: { bot_token: fake.token } } : {}) });
        expect(res.status, `${scopes} ${method} ${path}`).toBe(403);
        expect(res.body.detail).toMatch(/scope: admin/);
      }
    }
    expect(fake.calls.slice(from)).toEqual([]);
    // The admin key may.
    const admin = await createKey(s, { name: 'admin', scopes: ['admin'] });
    expect((await s.remote('/api/v1/telegram/status', { headers: bearer(admin.key) })).status).toBe(200);
  });

  it('a page on another origin gets nothing through the localhost bypass, and starts no bot', async () => {
    const from = fake.calls.length;
    for (const origin of ['https://evil.example', 'null']) {
      for (const [method, path] of doors) {
        const res = await s.request(path, {
          method, headers: { origin, 'content-type': 'text/plain' }, ...(method === 'POST' ? { body: JSON.stringify({ bot_token: fake.token }) } : {}),
        });
        expect(res.status, `${origin} ${method} ${path}`).toBe(403);
        expect(res.body.detail).toMatch(/^Cross-origin request refused/);
      }
    }
    expect(fake.calls.slice(from)).toEqual([]);
  });

  it('without any credential from another address: 401', async () => {
    for (const [method, path] of doors) {
      expect((await s.remote(path, { method, ...(method === 'POST' ? { json: { bot_token: fake.token } } : {}) })).status).toBe(401);
    }
  });
});

describe('pairing while the Telegram channel runs', () => {
  it('stops the channel while the pairing bot polls, then starts it again with the new allowed user', async () => {
    const other = await startTestServer({ env: { POCKETPAW_TELEGRAM_API_BASE_URL: fake.apiRoot } });
    try {
      await other.post('/api/channels/save', { channel: 'telegram', config: { bot_token: fake.token, allowed_user_id: 1 } });
      expect((await other.post('/api/channels/toggle', { channel: 'telegram', action: 'start' })).body.running).toBe(true);
      const setup = await other.post('/api/v1/telegram/setup', { bot_token: fake.token });
      expect(setup.body.error).toBeNull();
      // One poller on the token: the channel made room for the pairing bot.
      expect((await other.get('/api/channels/status')).body.telegram.running).toBe(false);
      const secret = DEEP_LINK.exec(setup.body.deep_link)![1]!;
      const from = fake.calls.length;
      fake.pushMessage({ chatId: 9001, fromId: 9001, text: `/start ${secret}`, username: 'owner2' });
      await fake.waitFor('sendMessage', (c) => c.params.chat_id === 9001 && /^Paired!/.test(String(c.params.text)), { from });
      await waitRunning(other, true);
      expect((await other.get('/api/v1/settings')).body.allowed_user_id).toBe('9001');
    } finally {
      await other.post('/api/channels/toggle', { channel: 'telegram', action: 'stop' });
      await other.close();
    }
  });
});
