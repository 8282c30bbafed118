import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/app/paths.js';
import { importPocketPaw } from '../../src/import/import.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { openDatabase } from '../../src/store/db.js';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { copyFixture, tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { pythonJson, removeTracked, track } from '../import/pocketpaw-format.js';
import { auditLines } from '../tools/helpers.js';

// Spec §3.12: the admin routes of inbound webhooks, on both path families.

const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
  removeTracked();
});

/** The slots as stored on disk: PocketPaw's `webhook_configs` (config.json, or secrets.json if kept apart). */
function storedSlots(): Array<Record<string, unknown>> {
  const read = (f: string) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown> : {});
  const merged = { ...read(path.join(s.home, 'config.json')), ...read(path.join(s.home, 'secrets.json')) };
  return (merged.webhook_configs ?? []) as Array<Record<string, unknown>>;
}

/** Every file of the data dir a secret must never land in, besides where the slots are kept. */
function logsText(): string {
  const audit = path.join(s.home, 'audit.jsonl');
  return fs.existsSync(audit) ? fs.readFileSync(audit, 'utf8') : '';
}

describe.each(['/api', '/api/v1'])('%s/webhooks', (prefix) => {
  const name = prefix === '/api' ? 'legacy-hook' : 'v1_hook';

  it('add: trims the name, makes a 43-character URL-safe secret, defaults sync_timeout to webhook_sync_timeout, stores PocketPaw\'s shape', async () => {
    const res = await s.post(`${prefix}/webhooks/add`, { name: `  ${name} `, description: '  from CI ' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'ok', webhook: { name, secret: expect.stringMatching(SECRET_RE), description: 'from CI', sync_timeout: 30 } });
    const stored = storedSlots().find((w) => w.name === name);
    expect(stored).toEqual({ name, secret: res.body.webhook.secret, description: 'from CI', sync_timeout: 30 });
  });

  it('list: secret masked as ***<last 4>, the URL built from Host, http unless a tunnel or TLS', async () => {
    const secret = storedSlots().find((w) => w.name === name)!.secret as string;
    // A LAN name is not this machine's: the owner sends the token (no localhost bypass for it).
    const res = await s.get(`${prefix}/webhooks`, { headers: { host: 'paw.lan:8888', ...bearer(s.token) } });
    expect(res.status).toBe(200);
    expect(res.body.webhooks).toContainEqual({ name, description: 'from CI', secret: `***${secret.slice(-4)}`, sync_timeout: 30, url: `http://paw.lan:8888/webhook/inbound/${name}` });
    expect(res.text).not.toContain(secret);
    const tunnel = await s.get(`${prefix}/webhooks`, { headers: { host: 'a-b-c.trycloudflare.com', ...bearer(s.token) } });
    expect(tunnel.body.webhooks.find((w: { name: string }) => w.name === name).url).toBe(`https://a-b-c.trycloudflare.com/webhook/inbound/${name}`);
    // X-Forwarded-Proto from a peer not in trusted_proxies proves nothing.
    const forwarded = await s.get(`${prefix}/webhooks`, { headers: { 'x-forwarded-proto': 'https', ...bearer(s.token) } });
    expect(forwarded.body.webhooks.find((w: { name: string }) => w.name === name).url).toMatch(/^http:\/\//);
  });

  it('add: every refusal of spec §3.12, and ours (length, sync_timeout range, types)', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'Webhook name is required'],
      [{ name: '   ' }, 400, 'Webhook name is required'],
      [{ name: 'has space' }, 400, 'Webhook name must be alphanumeric (hyphens and underscores allowed)'],
      [{ name: '../etc' }, 400, 'Webhook name must be alphanumeric (hyphens and underscores allowed)'],
      [{ name: 'x'.repeat(65) }, 400, 'Webhook name must be at most 64 characters'],
      [{ name: name }, 409, `Webhook '${name}' already exists`],
      [{ name: 'ok-name', sync_timeout: 0 }, 400, 'sync_timeout must be a whole number of seconds from 1 to 3600'],
      [{ name: 'ok-name', sync_timeout: 1.5 }, 400, 'sync_timeout must be a whole number of seconds from 1 to 3600'],
      [{ name: 'ok-name', sync_timeout: 3601 }, 400, 'sync_timeout must be a whole number of seconds from 1 to 3600'],
      [{ name: 'ok-name', sync_timeout: '30' }, 400, '"sync_timeout" must be a number of seconds'],
      [{ name: 42 }, 400, '"name" must be a string'],
      [[name], 400, 'Invalid JSON body'],
    ];
    for (const [body, status, detail] of cases) {
      const res = await s.post(`${prefix}/webhooks/add`, body);
      expect({ body, status: res.status, detail: res.body?.detail }).toEqual({ body, status, detail });
    }
    const malformed = await s.request(`${prefix}/webhooks/add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' });
    expect([malformed.status, malformed.body]).toEqual([400, { detail: 'Invalid JSON body' }]);
    expect(storedSlots().map((w) => w.name)).not.toContain('ok-name');
  });

  it('regenerate-secret: a new secret, the old one gone; unknown name 404', async () => {
    const before = storedSlots().find((w) => w.name === name)!.secret;
    const res = await s.post(`${prefix}/webhooks/regenerate-secret`, { name });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', secret: expect.stringMatching(SECRET_RE) });
    expect(res.body.secret).not.toBe(before);
    expect(storedSlots().find((w) => w.name === name)!.secret).toBe(res.body.secret);
    const missing = await s.post(`${prefix}/webhooks/regenerate-secret`, { name: 'nope' });
    expect([missing.status, missing.body]).toEqual([404, { detail: "Webhook 'nope' not found" }]);
  });

  it('remove: gone from the list and the file; again → 404', async () => {
    const res = await s.post(`${prefix}/webhooks/remove`, { name });
    expect([res.status, res.body]).toEqual([200, { status: 'ok' }]);
    expect(storedSlots().map((w) => w.name)).not.toContain(name);
    expect((await s.get(`${prefix}/webhooks`)).body.webhooks.map((w: { name: string }) => w.name)).not.toContain(name);
    const again = await s.post(`${prefix}/webhooks/remove`, { name });
    expect([again.status, again.body]).toEqual([404, { detail: `Webhook '${name}' not found` }]);
    const noName = await s.post(`${prefix}/webhooks/remove`, {});
    expect([noName.status, noName.body]).toEqual([404, { detail: "Webhook '' not found" }]);
  });
});

describe('who may manage webhooks', () => {
  let secret: string;
  beforeAll(async () => {
    const res = await s.post('/api/webhooks/add', { name: 'guarded' });
    expect(res.status).toBe(200);
    secret = res.body.webhook.secret;
  });

  it('an API key without admin (chat, sessions, channels, settings) gets 403 on every route, and nothing changes', async () => {
    const key = await createKey(s, { name: 'not-admin', scopes: ['chat', 'sessions', 'channels', 'settings:read', 'settings:write'] });
    for (const prefix of ['/api', '/api/v1']) {
      const calls: Array<[string, string, unknown]> = [
        ['GET', `${prefix}/webhooks`, undefined],
        ['POST', `${prefix}/webhooks/add`, { name: 'planted' }],
        ['POST', `${prefix}/webhooks/remove`, { name: 'guarded' }],
        ['POST', `${prefix}/webhooks/regenerate-secret`, { name: 'guarded' }],
      ];
      for (const [method, p, json] of calls) {
        const res = await s.remote(p, { method, json, headers: bearer(key.key) });
        expect([p, res.status, res.body]).toEqual([p, 403, { detail: 'API key missing required scope: admin' }]);
      }
    }
    expect(storedSlots().find((w) => w.name === 'guarded')!.secret).toBe(secret);
    expect(storedSlots().map((w) => w.name)).not.toContain('planted');
    // An admin key may.
    const admin = await createKey(s, { name: 'admin', scopes: ['admin'] });
    expect((await s.remote('/api/v1/webhooks', { headers: bearer(admin.key) })).status).toBe(200);
  });

  it('a page on another origin gets nothing through the localhost bypass, and changes nothing', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const list = await s.get('/api/v1/webhooks', { headers: { origin } });
      expect(list.status).toBe(403);
      expect(list.text).not.toContain(secret.slice(-4));
      for (const [p, body] of [['/api/webhooks/add', { name: 'planted' }], ['/api/webhooks/regenerate-secret', { name: 'guarded' }], ['/api/webhooks/remove', { name: 'guarded' }]] as const) {
        const res = await s.request(p, { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: JSON.stringify(body) });
        expect([p, res.status]).toEqual([p, 403]);
        expect(res.body.detail).toMatch(/^Cross-origin request refused/);
      }
    }
    expect(storedSlots().find((w) => w.name === 'guarded')!.secret).toBe(secret);
    expect(storedSlots().map((w) => w.name)).not.toContain('planted');
  });

  it('without a credential from another address: 401', async () => {
    expect((await s.remote('/api/v1/webhooks')).status).toBe(401);
    expect((await s.remote('/api/webhooks/add', { method: 'POST', json: { name: 'planted' } })).status).toBe(401);
  });

  it('a settings key can neither read the secrets through the settings API nor plant a webhook there', async () => {
    const key = await createKey(s, { name: 'settings', scopes: ['settings:read', 'settings:write'] });
    const read = await s.remote('/api/v1/settings', { headers: bearer(key.key) });
    expect(read.status).toBe(200);
    expect(read.text).not.toContain(secret);
    const planted = [{ name: 'planted', secret: 'attacker-chosen-secret', description: '', sync_timeout: 30 }];
    const write = await s.remote('/api/v1/settings', { method: 'PUT', json: { settings: { webhook_configs: planted } }, headers: bearer(key.key) });
    expect(write.status).toBe(403);
    expect(storedSlots().map((w) => w.name)).not.toContain('planted');
  });

  it('secrets never reach the audit log; changes are audited by name', async () => {
    const regenerated = (await s.post('/api/v1/webhooks/regenerate-secret', { name: 'guarded' })).body.secret as string;
    const actions = auditLines(s.home).filter((e) => e.target === 'guarded').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['webhook_added', 'webhook_secret_regenerated']));
    const text = logsText();
    for (const v of [secret, regenerated]) expect(text).not.toContain(v);
    const errors = await s.get('/api/health/errors');
    for (const v of [secret, regenerated]) expect(errors.text).not.toContain(v);
  });
});

describe('PocketPaw\'s stored webhooks', () => {
  it('`pocketpaw import` carries webhook_configs over (also entries without sync_timeout); the old secret opens the door', async () => {
    const src = track(copyFixture());
    // As PocketPaw 0.4.4 writes config.json: its settings flat, webhooks as a list of dicts.
    fs.writeFileSync(path.join(src, 'config.json'), pythonJson({
      webhook_sync_timeout: 45,
      webhook_configs: [
        { name: 'from-pocketpaw', secret: 'pp-secret-0123456789', description: 'imported' },
        { name: 'short', secret: 'abc', description: '', sync_timeout: 5 },
      ],
    }));
    const home = track(tempDir());
    const db = openDatabase(databasePath(home));
    try {
      importPocketPaw(src, { home, store: new SqliteSessionStore(db) });
    } finally {
      db.close();
    }
    const other = await startTestServer({ home });
    try {
      const res = await other.get('/api/webhooks', { headers: { host: '127.0.0.1:8888' } });
      expect(res.body.webhooks).toEqual([
        { name: 'from-pocketpaw', description: 'imported', secret: '***6789', sync_timeout: 45, url: 'http://127.0.0.1:8888/webhook/inbound/from-pocketpaw' },
        { name: 'short', description: '', secret: '***', sync_timeout: 5, url: 'http://127.0.0.1:8888/webhook/inbound/short' },
      ]);
      // No model is configured here: the call is accepted and its turn only gets the setup hint.
      const call = await other.remote('/webhook/inbound/from-pocketpaw', { method: 'POST', json: { content: 'hello' }, headers: { 'x-webhook-secret': 'pp-secret-0123456789' } });
      expect([call.status, call.body]).toEqual([200, { status: 'accepted', request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
      const wrong = await other.remote('/webhook/inbound/from-pocketpaw', { method: 'POST', json: { content: 'hello' }, headers: { 'x-webhook-secret': 'pp-secret-012345678' } });
      expect(wrong.status).toBe(403);
    } finally {
      await other.close();
    }
  });
});
