import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CHANNELS = ['discord', 'slack', 'whatsapp', 'telegram', 'signal', 'matrix', 'teams', 'google_chat'];

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const settings = async () => (await s.get('/api/v1/settings')).body as Record<string, unknown>;

describe('channels/save (spec §3.7): PocketPaw\'s keys become PocketPaw\'s settings', () => {
  it('maps each key, ignores unknown ones, keeps secrets out of every answer, and status turns configured', async () => {
    for (const base of ['/api', '/api/v1']) {
      const res = await s.post(`${base}/channels/save`, { channel: 'discord', config: { bot_token: 'discord-secret-token', allowed_user_ids: ['123456789012345678'], bogus: 1 } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    }
    const after = await settings();
    expect(after.discord_allowed_user_ids).toEqual(['123456789012345678']);
    expect(after.has_discord_bot_token).toBe(true);
    expect(JSON.stringify(after)).not.toContain('discord-secret-token');
    expect('bogus' in after).toBe(false);
    const status = (await s.get('/api/channels/status')).body;
    expect(Object.keys(status)).toEqual(CHANNELS);
    expect(status.discord).toEqual({ configured: true, running: false, autostart: true });
    expect(JSON.stringify(status)).not.toContain('discord-secret-token');
  });

  it('autostart is per channel; telegram maps allowed_user_id and api_base_url', async () => {
    await s.post('/api/channels/save', { channel: 'telegram', config: { autostart: false, allowed_user_id: 4242, api_base_url: 'http://127.0.0.1:9/tg' } });
    const after = await settings();
    expect(after.channel_autostart).toMatchObject({ telegram: false });
    expect(after.allowed_user_id).toBe('4242');
    expect(after.telegram_api_base_url).toBe('http://127.0.0.1:9/tg');
    expect((await s.get('/api/channels/status')).body.telegram).toEqual({ configured: false, running: false, autostart: false });
  });

  it('bad input: unknown channel, wrong shapes and malformed JSON are 400s that change nothing', async () => {
    const before = await settings();
    expect((await s.post('/api/channels/save', { channel: 'myspace', config: {} })).body).toEqual({ detail: 'Unknown channel: myspace' });
    for (const body of [{ channel: 7 }, { channel: 'slack', config: 'x' }, [], null]) {
      const res = await s.post('/api/channels/save', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof res.body.detail).toBe('string');
    }
    const bad = await s.request('/api/channels/save', { method: 'POST', body: '{"channel":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: 'Invalid JSON body' });
    const wrongType = await s.post('/api/channels/save', { channel: 'slack', config: { allowed_channel_ids: { a: 1 } } });
    expect(wrongType.status).toBe(400);
    expect(await settings()).toEqual(before);
  });
});

describe('channels/toggle: soft failures are 200s with an error, as PocketPaw', () => {
  it('an unconfigured channel, one not running, an unknown action or channel', async () => {
    expect((await s.post('/api/channels/toggle', { channel: 'slack', action: 'start' })).body).toEqual({ error: 'slack is not configured — save tokens first' });
    expect((await s.post('/api/channels/toggle', { channel: 'slack', action: 'stop' })).body).toEqual({ error: 'slack is not running' });
    const unknownAction = await s.post('/api/channels/toggle', { channel: 'slack', action: 'restart' });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.body).toEqual({ detail: 'Unknown action: restart' });
    expect((await s.post('/api/channels/toggle', { channel: 'icq', action: 'start' })).body).toEqual({ detail: 'Unknown channel: icq' });
  });

  it('an empty allow list refuses to start and says what to do; nothing runs', async () => {
    await s.post('/api/channels/save', { channel: 'slack', config: { bot_token: 'xoxb-1', app_token: 'xapp-1', allowed_channel_ids: [] } });
    const res = await s.post('/api/channels/toggle', { channel: 'slack', action: 'start' });
    expect(res.body.error).toMatch(/^Failed to start slack: Slack has no allow list: add the channel ids/);
    expect((await s.get('/api/channels/status')).body.slack.running).toBe(false);
  });

  it('a channel this server cannot run says so', async () => {
    await s.post('/api/channels/save', { channel: 'signal', config: { phone_number: '+15550100', allowed_phone_numbers: ['+15550100'] } });
    const res = await s.post('/api/channels/toggle', { channel: 'signal', action: 'start' });
    expect(res.body.error).toMatch(/^Failed to start signal: Signal is not supported by this server yet/);
  });
});

describe('extras (spec §3.7): the libraries ship with the server; the API never installs anything', () => {
  it('check reports the npm package; install is ok for shipped ones and an error otherwise', async () => {
    expect((await s.get('/api/extras/check?channel=telegram')).body).toEqual({ installed: true, extra: 'telegram', package: 'grammy', pip_spec: 'grammy' });
    expect((await s.get('/api/v1/extras/check?channel=slack')).body).toMatchObject({ installed: true, package: '@slack/bolt' });
    expect((await s.get('/api/extras/check?channel=matrix')).body.installed).toBe(false);
    expect((await s.get('/api/extras/check')).status).toBe(422);
    expect((await s.post('/api/extras/install', { extra: 'discord' })).body).toEqual({ status: 'ok' });
    expect((await s.post('/api/extras/install', { extra: 'teams' })).body.error).toMatch(/not supported/);
    expect((await s.post('/api/extras/install', { extra: 'nope' })).body).toEqual({ detail: 'Unknown extra: nope' });
  });
});

describe('who may change a channel (attacker view)', () => {
  it('a channels-scoped key may start and stop, but not change tokens, allow lists or API addresses', async () => {
    const key = await createKey(s, { name: 'channels', scopes: ['channels'] });
    const before = await settings();
    for (const config of [{ allowed_user_id: '666' }, { api_base_url: 'http://evil.example/' }, { bot_token: 'x' }]) {
      const res = await s.remote('/api/channels/save', { method: 'POST', json: { channel: 'telegram', config }, headers: bearer(key.key) });
      expect(res.status, JSON.stringify(config)).toBe(403);
      expect(res.body.detail).toMatch(/needs an admin credential/);
    }
    const autostart = await s.remote('/api/channels/save', { method: 'POST', json: { channel: 'slack', config: { autostart: false } }, headers: bearer(key.key) });
    expect(autostart.status).toBe(200);
    const after = await settings();
    expect(after.allowed_user_id).toBe(before.allowed_user_id);
    expect(after.telegram_api_base_url).toBe(before.telegram_api_base_url);
  });

  it('a key without the channels scope, and a page on another origin, get nothing', async () => {
    const key = await createKey(s, { name: 'chat', scopes: ['chat'] });
    const denied = await s.remote('/api/channels/toggle', { method: 'POST', json: { channel: 'slack', action: 'start' }, headers: bearer(key.key) });
    expect(denied.status).toBe(403);
    const before = await settings();
    const cross = await s.post('/api/channels/save', { channel: 'telegram', config: { allowed_user_id: '1' } }, { headers: { origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    expect((await settings()).allowed_user_id).toBe(before.allowed_user_id);
  });
});
