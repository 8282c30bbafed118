import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, createKey, expectUnauthorized, type CreatedKey } from './auth-helpers.js';

// Spec §2.1 (API key), §2.3 (scopes), §3.2 (API key routes).

const KEYS = '/api/v1/auth/api-keys';
const KEY_RE = /^pp_[A-Za-z0-9_-]{43}$/;
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/;
const sha256 = (v: string) => crypto.createHash('sha256').update(v, 'utf8').digest('hex');

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());

async function listKeys(): Promise<Array<Record<string, unknown>>> {
  const res = await s.get(KEYS);
  expect(res.status).toBe(200);
  return res.body;
}

async function canListSessions(key: string): Promise<number> {
  return (await s.remote('/api/v1/sessions', { headers: bearer(key) })).status;
}

describe('POST /api/v1/auth/api-keys', () => {
  it('creates a key with the default scopes and the documented shape', async () => {
    const res = await s.post(KEYS, { name: 'CI bot' });
    expect(res.status).toBe(200);
    const k = res.body as CreatedKey;
    expect(Object.keys(k).sort()).toEqual(['created_at', 'expires_at', 'id', 'key', 'name', 'prefix', 'scopes']);
    expect(k.key).toMatch(KEY_RE);
    expect(k.key).toHaveLength(46);
    expect(k.prefix).toBe(k.key.slice(0, 12));
    expect(k.id).toMatch(/^[0-9a-f]{16}$/);
    expect(k.name).toBe('CI bot');
    expect(k.scopes).toEqual(['chat', 'sessions']);
    expect(k.created_at).toMatch(UTC_ISO);
    expect(Math.abs(Date.parse(k.created_at) - Date.now())).toBeLessThan(60_000);
    expect(k.expires_at).toBeNull();
  });

  it('keeps given scopes and expiry, and every key is different', async () => {
    const a = await createKey(s, { name: 'a', scopes: ['memory', 'settings:read'], expires_at: '2999-01-01T00:00:00+00:00' });
    const b = await createKey(s, { name: 'a', scopes: ['memory', 'settings:read'] });
    expect(a.scopes).toEqual(['memory', 'settings:read']);
    expect(a.expires_at).toBe('2999-01-01T00:00:00+00:00');
    expect(a.key).not.toBe(b.key);
    expect(a.id).not.toBe(b.id);
  });

  it('works as Bearer and as ?token=', async () => {
    const k = await createKey(s, { name: 'both ways', scopes: ['sessions'] });
    expect(await canListSessions(k.key)).toBe(200);
    const q = await s.remote(`/api/v1/sessions?token=${k.key}`);
    expect(q.status).toBe(200);
    expect(q.body).toEqual({ sessions: [], total: 0 });
  });

  it('refuses an unknown pp_ key', async () => {
    expectUnauthorized(await s.remote('/api/v1/sessions', { headers: bearer(`pp_${'A'.repeat(43)}`) }));
  });

  it('400 for invalid scopes, naming them', async () => {
    const res = await s.post(KEYS, { name: 'bad', scopes: ['chat', 'bogus', 'root'] });
    expect(res.status).toBe(400);
    expect(typeof res.body.detail).toBe('string');
    expect(res.body.detail.startsWith('Invalid scopes: ')).toBe(true);
    expect(res.body.detail).toContain('bogus');
    expect(res.body.detail).toContain('root');
    expect(res.body.detail).not.toContain('chat');
    expect((await listKeys()).some((k) => k.name === 'bad')).toBe(false);
  });

  it('422 with a FastAPI-shaped detail for a missing, empty or too long name', async () => {
    for (const body of [{ name: '' }, { name: 'x'.repeat(101) }, {}, { name: 5 }]) {
      const res = await s.post(KEYS, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(Array.isArray(res.body.detail)).toBe(true);
      expect(res.body.detail.length).toBeGreaterThan(0);
      for (const d of res.body.detail) {
        expect(Object.keys(d).sort()).toEqual(['loc', 'msg', 'type']);
        expect(typeof d.msg).toBe('string');
        expect(typeof d.type).toBe('string');
      }
      expect(res.body.detail[0].loc).toEqual(['body', 'name']);
    }
    const missing = await s.post(KEYS, {});
    expect(missing.body.detail[0]).toMatchObject({ msg: 'Field required', type: 'missing' });
  });

  it('accepts a name of exactly 100 characters', async () => {
    const k = await createKey(s, { name: 'n'.repeat(100) });
    expect(k.name).toHaveLength(100);
  });

  it('an expired key (expires_at in the past) is refused', async () => {
    const k = await createKey(s, { name: 'old', scopes: ['sessions'], expires_at: '2020-01-01T00:00:00+00:00' });
    expectUnauthorized(await s.remote('/api/v1/sessions', { headers: bearer(k.key) }));
    const live = await createKey(s, { name: 'future', scopes: ['sessions'], expires_at: '2999-01-01T00:00:00Z' });
    expect(await canListSessions(live.key)).toBe(200);
  });

  it('needs credentials from 127.0.0.2', async () => {
    expectUnauthorized(await s.remote(KEYS, { method: 'POST', json: { name: 'x' } }));
    expectUnauthorized(await s.remote(KEYS));
  });
});

describe('GET /api/v1/auth/api-keys', () => {
  it('lists keys without the key or its hash, revoked ones included', async () => {
    const live = await createKey(s, { name: 'listed-live' });
    const dead = await createKey(s, { name: 'listed-dead', scopes: ['chat'] });
    expect((await s.del(`${KEYS}/${dead.id}`)).status).toBe(200);

    const res = await s.get(KEYS);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    for (const entry of res.body) {
      expect(Object.keys(entry).sort()).toEqual(['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked', 'scopes']);
    }
    for (const k of [live, dead]) {
      expect(res.text).not.toContain(k.key);
      expect(res.text).not.toContain(sha256(k.key));
    }
    const byId = new Map(res.body.map((e: { id: string }) => [e.id, e]));
    expect(byId.get(live.id)).toEqual({
      id: live.id, name: 'listed-live', prefix: live.prefix, scopes: ['chat', 'sessions'],
      created_at: live.created_at, last_used_at: null, expires_at: null, revoked: false,
    });
    expect(byId.get(dead.id)).toMatchObject({ name: 'listed-dead', revoked: true });
  });

  it('records last_used_at when a key is used', async () => {
    const k = await createKey(s, { name: 'used', scopes: ['sessions'] });
    expect(await canListSessions(k.key)).toBe(200);
    const entry = (await listKeys()).find((e) => e.id === k.id)!;
    expect(entry.last_used_at).toMatch(UTC_ISO);
  });
});

describe('DELETE /api/v1/auth/api-keys/{id}', () => {
  it('revokes: {"status":"ok"}, the key stops working, a second revoke is 404', async () => {
    const k = await createKey(s, { name: 'to revoke', scopes: ['sessions'] });
    expect(await canListSessions(k.key)).toBe(200);
    const res = await s.del(`${KEYS}/${k.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expectUnauthorized(await s.remote('/api/v1/sessions', { headers: bearer(k.key) }));
    expectUnauthorized(await s.remote(`/api/v1/sessions?token=${k.key}`));
    const again = await s.del(`${KEYS}/${k.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'API key not found or already revoked' });
  });

  it('404 for an unknown id', async () => {
    const res = await s.del(`${KEYS}/0123456789abcdef`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'API key not found or already revoked' });
  });
});

describe('POST /api/v1/auth/api-keys/{id}/rotate', () => {
  it('issues a new key with the same name and scopes and revokes the old one', async () => {
    const old = await createKey(s, { name: 'rotating', scopes: ['sessions', 'memory'], expires_at: '2999-06-01T00:00:00+00:00' });
    const res = await s.post(`${KEYS}/${old.id}/rotate`);
    expect(res.status).toBe(200);
    const fresh = res.body as CreatedKey;
    expect(Object.keys(fresh).sort()).toEqual(['created_at', 'expires_at', 'id', 'key', 'name', 'prefix', 'scopes']);
    expect(fresh.key).toMatch(KEY_RE);
    expect(fresh.key).not.toBe(old.key);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.prefix).toBe(fresh.key.slice(0, 12));
    expect(fresh.name).toBe('rotating');
    expect(fresh.scopes).toEqual(['sessions', 'memory']);
    expect(fresh.expires_at).toBeNull(); // expiry is not carried over

    expectUnauthorized(await s.remote('/api/v1/sessions', { headers: bearer(old.key) }));
    expect(await canListSessions(fresh.key)).toBe(200);
    const list = await listKeys();
    expect(list.find((e) => e.id === old.id)).toMatchObject({ revoked: true });
    expect(list.find((e) => e.id === fresh.id)).toMatchObject({ revoked: false, name: 'rotating' });

    const again = await s.post(`${KEYS}/${old.id}/rotate`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'API key not found or already revoked' });
  });

  it('404 for an unknown id', async () => {
    const res = await s.post(`${KEYS}/ffffffffffffffff/rotate`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'API key not found or already revoked' });
  });
});

describe('scope enforcement (spec §2.3)', () => {
  let chatOnly: CreatedKey;
  let sessionsKey: CreatedKey;
  let adminKey: CreatedKey;
  beforeAll(async () => {
    chatOnly = await createKey(s, { name: 'chat only', scopes: ['chat'] });
    sessionsKey = await createKey(s, { name: 'sessions', scopes: ['sessions'] });
    adminKey = await createKey(s, { name: 'admin', scopes: ['admin'] });
  });

  it('a key without "sessions" gets 403 on legacy and v1 session routes', async () => {
    for (const p of ['/api/sessions', '/api/v1/sessions']) {
      const res = await s.remote(p, { headers: bearer(chatOnly.key) });
      expect(res.status, p).toBe(403);
      expect(res.body).toEqual({ detail: 'API key missing required scope: sessions' });
    }
    // Even from 127.0.0.1: a presented key's scopes win over the localhost bypass.
    const local = await s.get('/api/sessions', { headers: bearer(chatOnly.key) });
    expect(local.status).toBe(403);
  });

  it('checks the scope before the input: 403, not 400/422, for a key that may not call the route', async () => {
    const forbidden = { detail: 'API key missing required scope: admin' };
    const empty = await s.remote(KEYS, { method: 'POST', json: {}, headers: bearer(chatOnly.key) });
    expect(empty.status).toBe(403);
    expect(empty.body).toEqual(forbidden);
    const malformed = await s.remote(KEYS, {
      method: 'POST', body: '{"name":', headers: { 'content-type': 'application/json', ...bearer(chatOnly.key) },
    });
    expect(malformed.status).toBe(403);
    expect(malformed.body).toEqual(forbidden);
    const badQuery = await s.remote('/api/v1/sessions?limit=abc', { headers: bearer(chatOnly.key) });
    expect(badQuery.status).toBe(403);
    expect(badQuery.body).toEqual({ detail: 'API key missing required scope: sessions' });
  });

  it('a "sessions" key reaches session routes but not admin routes', async () => {
    for (const p of ['/api/sessions', '/api/v1/sessions']) {
      expect((await s.remote(p, { headers: bearer(sessionsKey.key) })).status, p).toBe(200);
    }
    const res = await s.remote(KEYS, { headers: bearer(sessionsKey.key) });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'API key missing required scope: admin' });
    const create = await s.remote(KEYS, { method: 'POST', json: { name: 'escalate', scopes: ['admin'] }, headers: bearer(sessionsKey.key) });
    expect(create.status).toBe(403);
  });

  it('an "admin" key reaches everything', async () => {
    for (const p of ['/api/sessions', '/api/v1/sessions', KEYS]) {
      expect((await s.remote(p, { headers: bearer(adminKey.key) })).status, p).toBe(200);
    }
    const created = await s.remote(KEYS, { method: 'POST', json: { name: 'by admin key' }, headers: bearer(adminKey.key) });
    expect(created.status).toBe(200);
    expect(created.body.key).toMatch(KEY_RE);
  });

  it('master, session token and cookie are not scope-limited', async () => {
    expect((await s.remote(KEYS, { headers: bearer(s.token) })).status).toBe(200);
    expect((await s.remote(KEYS, { headers: { cookie: `pocketpaw_session=${s.token}` } })).status).toBe(200);
  });
});

describe('storage and audit', () => {
  it('api_keys.json is mode 600 and holds only SHA-256 hashes', async () => {
    const k = await createKey(s, { name: 'stored' });
    const file = path.join(s.home, 'api_keys.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(k.key);
    const records = JSON.parse(text) as Array<Record<string, unknown>>;
    const rec = records.find((r) => r.id === k.id)!;
    expect(rec.key_hash).toBe(sha256(k.key));
    expect(rec).toMatchObject({ name: 'stored', prefix: k.prefix, scopes: ['chat', 'sessions'], revoked: false });
    for (const r of records) {
      expect(r.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(r).not.toHaveProperty('key');
    }
  });

  it('audit.jsonl gets api_key_created and api_key_revoked events', async () => {
    const k = await createKey(s, { name: 'audited', scopes: ['memory'] });
    expect((await s.del(`${KEYS}/${k.id}`)).status).toBe(200);
    const lines = fs.readFileSync(path.join(s.home, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = events.filter((e) => e.target === `key:${k.id}`);
    expect(mine.map((e) => e.action)).toEqual(['api_key_created', 'api_key_revoked']);
    for (const e of mine) expect(e.actor).toBe('api_client');
    expect(lines.join('\n')).not.toContain(k.key);
  });
});

describe('keys in an existing api_keys.json (PocketPaw format)', () => {
  let t: TestServer;
  const liveKey = `pp_${'L'.repeat(43)}`;
  const naiveKey = `pp_${'N'.repeat(43)}`;
  const revokedKey = `pp_${'R'.repeat(43)}`;
  beforeAll(async () => {
    const home = tempDir();
    const rec = (id: string, key: string, extra: Record<string, unknown>) => ({
      id, name: id, key_hash: sha256(key), prefix: key.slice(0, 12), scopes: ['sessions'],
      created_at: '2026-01-01T00:00:00+00:00', last_used_at: null, expires_at: null, revoked: false, ...extra,
    });
    fs.writeFileSync(path.join(home, 'api_keys.json'), JSON.stringify([
      rec('aaaaaaaaaaaaaaaa', liveKey, {}),
      // Offset-less expiry must make the key invalid (spec §3.2), even if it lies in the future.
      rec('bbbbbbbbbbbbbbbb', naiveKey, { expires_at: '2999-01-01T00:00:00' }),
      rec('cccccccccccccccc', revokedKey, { revoked: true }),
    ]), { mode: 0o600 });
    t = await startTestServer({ home });
  });
  afterAll(() => t.close());

  it('accepts a stored live key, refuses offset-less expiry and revoked records', async () => {
    expect((await t.remote('/api/v1/sessions', { headers: bearer(liveKey) })).status).toBe(200);
    expectUnauthorized(await t.remote('/api/v1/sessions', { headers: bearer(naiveKey) }));
    expectUnauthorized(await t.remote('/api/v1/sessions', { headers: bearer(revokedKey) }));
  });
});
