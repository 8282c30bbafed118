import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  bearer, cookie, cookieValueOf, createKey, expectUnauthorized, mintSessionToken, setCookieOf,
} from './auth-helpers.js';

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());

const tokenFile = () => path.join(s.home, 'access_token');

describe('GET /api/qr (spec §3.2, §10 item 1: authenticated)', () => {
  for (const p of ['/api/qr', '/api/v1/qr']) {
    it(`${p}: 401 from 127.0.0.2 without credentials`, async () => {
      expectUnauthorized(await s.remote(p));
      expectUnauthorized(await s.remote(`${p}?t=12345`));
    });

    it(`${p}: a PNG with credentials`, async () => {
      for (const res of [
        await s.remote(p, { headers: bearer(s.token) }),
        await s.remote(`${p}?t=12345&token=${s.token}`),
        await s.get(`${p}?t=1`),
      ]) {
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^image\/png/);
        expect(res.raw.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
        expect(res.raw.length).toBeGreaterThan(100);
      }
    });
  }
});

describe('POST /api/token/regenerate', () => {
  it('refuses 127.0.0.2 without credentials and leaves the token alone', async () => {
    const before = fs.readFileSync(tokenFile(), 'utf8').trim();
    expectUnauthorized(await s.remote('/api/token/regenerate', { method: 'POST' }));
    expect(fs.readFileSync(tokenFile(), 'utf8').trim()).toBe(before);
  });

  it('refuses a non-admin API key with 403 and leaves the token alone (spec §10 item 2)', async () => {
    const k = await createKey(s, { name: 'not admin', scopes: ['chat', 'sessions', 'settings:write'] });
    const before = fs.readFileSync(tokenFile(), 'utf8').trim();
    for (const p of ['/api/token/regenerate', '/api/v1/token/regenerate']) {
      const res = await s.remote(p, { method: 'POST', headers: bearer(k.key) });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'API key missing required scope: admin' });
    }
    expect(fs.readFileSync(tokenFile(), 'utf8').trim()).toBe(before);
    expect((await s.remote('/api/sessions', { headers: bearer(before) })).status).toBe(200);
  });

  it('replaces the master token and signs every earlier credential out', async () => {
    const old = fs.readFileSync(tokenFile(), 'utf8').trim();
    const oldSession = await mintSessionToken(s);
    const oldCookie = cookieValueOf(setCookieOf(await s.remote('/api/auth/login', { method: 'POST', json: { token: old } })));
    expect((await s.remote('/api/sessions', { headers: bearer(oldSession) })).status).toBe(200);

    const res = await s.remote('/api/token/regenerate', { method: 'POST', headers: bearer(old) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['token']);
    const fresh = res.body.token as string;
    expect(fresh).toMatch(UUID4);
    expect(fresh).not.toBe(old);

    // The file holds the new token, owner-only.
    expect(fs.readFileSync(tokenFile(), 'utf8').trim()).toBe(fresh);
    expect(fs.statSync(tokenFile()).mode & 0o777).toBe(0o600);

    expectUnauthorized(await s.remote('/api/sessions', { headers: bearer(old) }));
    expectUnauthorized(await s.remote(`/api/sessions?token=${old}`));
    expectUnauthorized(await s.remote('/api/sessions', { headers: bearer(oldSession) }));
    expectUnauthorized(await s.remote('/api/sessions', { headers: cookie(oldCookie) }));
    expect((await s.remote('/api/sessions', { headers: bearer(fresh) })).status).toBe(200);

    // The old master can no longer mint session tokens; the new one can.
    const mint = await s.remote('/api/auth/session', { method: 'POST', headers: bearer(old) });
    expectUnauthorized(mint);
    const login = await s.remote('/api/auth/login', { method: 'POST', json: { token: old } });
    expect(login.status).toBe(401);
    expect(login.body).toEqual({ detail: 'Invalid access token' });
  });

  it('/api/v1/token/regenerate does the same, and API keys survive it', async () => {
    const old = fs.readFileSync(tokenFile(), 'utf8').trim();
    const k = await createKey(s, { name: 'survivor', scopes: ['sessions'] });
    const res = await s.remote('/api/v1/token/regenerate', { method: 'POST', headers: bearer(old) });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(UUID4);
    expect(res.body.token).not.toBe(old);
    expect(fs.readFileSync(tokenFile(), 'utf8').trim()).toBe(res.body.token);
    expectUnauthorized(await s.remote('/api/sessions', { headers: bearer(old) }));
    expect((await s.remote('/api/sessions', { headers: bearer(k.key) })).status).toBe(200);
  });

  it('works for an admin API key and for the owner on localhost', async () => {
    const k = await createKey(s, { name: 'admin', scopes: ['admin'] });
    const byKey = await s.remote('/api/token/regenerate', { method: 'POST', headers: bearer(k.key) });
    expect(byKey.status).toBe(200);
    expect(byKey.body.token).toMatch(UUID4);
    const byOwner = await s.post('/api/token/regenerate');
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.token).not.toBe(byKey.body.token);
    expect(fs.readFileSync(tokenFile(), 'utf8').trim()).toBe(byOwner.body.token);
  });
});
