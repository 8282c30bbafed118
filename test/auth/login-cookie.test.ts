import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  bearer, cookie, cookieValueOf, createKey, expectUnauthorized, nowUnix, setCookieOf, specSessionToken,
} from './auth-helpers.js';

// Spec §3.2 login/logout, exercised from 127.0.0.2 (not the owner).

const COOKIE_RE = /^pocketpaw_session=(\d+:[0-9a-f]{64}); HttpOnly; SameSite=Strict; Path=\/; Max-Age=86400$/;

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());

function login(path: string, body: unknown) {
  return s.remote(path, { method: 'POST', json: body });
}

describe('POST /api/auth/login', () => {
  for (const path of ['/api/auth/login', '/api/v1/auth/login']) {
    it(`${path}: the master token gives {"ok":true} and an HttpOnly session cookie`, async () => {
      const res = await login(path, { token: s.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      const sc = setCookieOf(res);
      expect(sc).toMatch(COOKIE_RE);
      // A fresh session token (not the master token), valid ~24 h, signed per spec §2.1.
      const value = cookieValueOf(sc);
      expect(value).not.toBe(s.token);
      const exp = Number(value.split(':')[0]);
      expect(Math.abs(exp - (nowUnix() + 86400))).toBeLessThanOrEqual(5);
      expect(value).toBe(specSessionToken(s.token, exp));
    });
  }

  it('the cookie it sets authenticates /api/* from 127.0.0.2', async () => {
    expectUnauthorized(await s.remote('/api/sessions'));
    const value = cookieValueOf(setCookieOf(await login('/api/auth/login', { token: s.token })));
    const res = await s.remote('/api/sessions', { headers: cookie(value) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessions: [], total: 0 });
    expect((await s.remote('/api/v1/sessions', { headers: cookie(value) })).status).toBe(200);
  });

  it('needs no prior credentials (exempt path)', async () => {
    const res = await login('/api/auth/login', { token: s.token });
    expect(res.status).toBe(200);
  });

  it('refuses a bad token: 401 {"detail":"Invalid access token"} and no cookie', async () => {
    for (const body of [{ token: 'wrong' }, { token: '' }, {}, { token: 42 }, { token: `${s.token}x` }]) {
      const res = await login('/api/auth/login', body);
      expect(res.status, JSON.stringify(body)).toBe(401);
      expect(res.body).toEqual({ detail: 'Invalid access token' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses an expired session token', async () => {
    const res = await login('/api/auth/login', { token: specSessionToken(s.token, nowUnix() - 5) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid access token' });
  });

  it('answers 400 {"detail":"Invalid JSON body"} to malformed JSON', async () => {
    for (const path of ['/api/auth/login', '/api/v1/auth/login']) {
      const res = await s.remote(path, { method: 'POST', body: '{"token": ', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: 'Invalid JSON body' });
    }
  });

  it('turns an admin-scoped API key into a working cookie (spec §10 item 3)', async () => {
    const k = await createKey(s, { name: 'admin login', scopes: ['admin'] });
    const res = await login('/api/auth/login', { token: k.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    const sc = setCookieOf(res);
    expect(sc).toMatch(COOKIE_RE);
    expect(sc).not.toContain(k.key);
    const ok = await s.remote('/api/sessions', { headers: cookie(cookieValueOf(sc)) });
    expect(ok.status).toBe(200);
  });

  it('refuses a non-admin API key, even one with every other scope', async () => {
    const k = await createKey(s, {
      name: 'no admin', scopes: ['chat', 'sessions', 'settings:read', 'settings:write', 'channels', 'memory'],
    });
    const res = await login('/api/auth/login', { token: k.key });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid access token' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a revoked admin API key', async () => {
    const k = await createKey(s, { name: 'revoked admin', scopes: ['admin'] });
    expect((await s.del(`/api/v1/auth/api-keys/${k.id}`)).status).toBe(200);
    const res = await login('/api/auth/login', { token: k.key });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid access token' });
  });
});

describe('POST /api/auth/logout', () => {
  for (const path of ['/api/auth/logout', '/api/v1/auth/logout']) {
    it(`${path}: {"ok":true} and the cookie is deleted (Max-Age=0, Path=/)`, async () => {
      const value = cookieValueOf(setCookieOf(await login('/api/auth/login', { token: s.token })));
      const res = await s.remote(path, { method: 'POST', headers: cookie(value) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      const sc = setCookieOf(res);
      expect(sc).toMatch(/^pocketpaw_session=(""|);/);
      expect(sc).toMatch(/; Max-Age=0(;|$)/);
      expect(sc).toMatch(/; Path=\/(;|$)/);
    });
  }

  it('revokes the cookie on the server: a copy of it stops working, and stays revoked after a restart', async () => {
    const value = cookieValueOf(setCookieOf(await login('/api/auth/login', { token: s.token })));
    expect((await s.remote('/api/v1/sessions', { headers: cookie(value) })).status).toBe(200);
    expect((await s.remote('/api/auth/logout', { method: 'POST', headers: cookie(value) })).status).toBe(200);
    expectUnauthorized(await s.remote('/api/v1/sessions', { headers: cookie(value) }));
    // The same session token as a bearer is revoked too.
    expectUnauthorized(await s.remote('/api/v1/sessions', { headers: bearer(value) }));
    const again = await startTestServer({ home: s.home });
    try {
      expectUnauthorized(await again.remote('/api/v1/sessions', { headers: cookie(value) }));
    } finally {
      await again.server.close();
    }
    // Other sessions are untouched.
    const other = cookieValueOf(setCookieOf(await login('/api/auth/login', { token: s.token })));
    expect((await s.remote('/api/v1/sessions', { headers: cookie(other) })).status).toBe(200);
  });

  it('works with a Bearer token too', async () => {
    const res = await s.remote('/api/auth/logout', { method: 'POST', headers: bearer(s.token) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it('is 401 when unauthenticated from 127.0.0.2, and sets no cookie', async () => {
    const res = await s.remote('/api/auth/logout', { method: 'POST' });
    expectUnauthorized(res);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('session_token_ttl_hours', () => {
  let t: TestServer;
  beforeAll(async () => { t = await startTestServer({ env: { POCKETPAW_SESSION_TOKEN_TTL_HOURS: '2' } }); });
  afterAll(() => t.close());

  it('sets the cookie Max-Age and the session token lifetime', async () => {
    const res = await t.remote('/api/auth/login', { method: 'POST', json: { token: t.token } });
    expect(setCookieOf(res)).toMatch(/; Max-Age=7200$/);
    const session = await t.remote('/api/auth/session', { method: 'POST', headers: bearer(t.token) });
    expect(session.body.expires_in_hours).toBe(2);
    const exp = Number(String(session.body.session_token).split(':')[0]);
    expect(Math.abs(exp - (nowUnix() + 7200))).toBeLessThanOrEqual(5);
  });
});
