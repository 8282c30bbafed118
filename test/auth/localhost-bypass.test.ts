import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, expectUnauthorized } from './auth-helpers.js';

// Spec §2.4: genuine localhost = bypass on, peer 127.0.0.1/::1, and no proxy header.

describe('localhost bypass (default: on)', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.close());

  it('lets the owner on 127.0.0.1 in without credentials, on legacy and v1 paths', async () => {
    const legacy = await s.get('/api/sessions');
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual({ sessions: [], total: 0 });
    const v1 = await s.get('/api/v1/sessions');
    expect(v1.status).toBe(200);
    expect(v1.body).toEqual({ sessions: [], total: 0 });
  });

  const proxyHeaders: Array<[string, string]> = [
    ['X-Forwarded-For', '203.0.113.7'],
    ['X-Real-IP', '203.0.113.7'],
    ['Forwarded', 'for=203.0.113.7;proto=https'],
    ['CF-Connecting-IP', '203.0.113.7'],
    ['X-Forwarded-Host', 'pocketpaw.example'],
    ['True-Client-IP', '203.0.113.7'],
    ['X-Client-IP', '203.0.113.7'],
    ['Via', '1.1 proxy.example'],
  ];
  for (const [name, value] of proxyHeaders) {
    it(`refuses 127.0.0.1 carrying ${name} without credentials (a same-host proxy is not the owner)`, async () => {
      expectUnauthorized(await s.get('/api/sessions', { headers: { [name]: value } }));
      expectUnauthorized(await s.get('/api/v1/sessions', { headers: { [name]: value } }));
    });
  }

  it('still accepts real credentials behind a proxy header', async () => {
    const res = await s.get('/api/sessions', { headers: { 'X-Forwarded-For': '203.0.113.7', ...bearer(s.token) } });
    expect(res.status).toBe(200);
  });

  it('refuses 127.0.0.2 (loopback, but not the owner address)', async () => {
    expectUnauthorized(await s.remote('/api/sessions'));
    expectUnauthorized(await s.remote('/api/v1/sessions'));
    expectUnauthorized(await s.remote('/api/v1/settings'));
  });

  it('answers 401 for an unknown /api path when unauthenticated and 404 once authenticated', async () => {
    expectUnauthorized(await s.remote('/api/no-such-route'));
    expectUnauthorized(await s.remote('/api/v1/no/such/route'));
    const remoteAuthed = await s.remote('/api/no-such-route', { headers: bearer(s.token) });
    expect(remoteAuthed.status).toBe(404);
    expect(remoteAuthed.body).toEqual({ detail: 'Not Found' });
    const local = await s.get('/api/v1/no/such/route');
    expect(local.status).toBe(404);
    expect(local.body).toEqual({ detail: 'Not Found' });
  });

  it('denies unknown non-/api paths by default too (only listed routes are public)', async () => {
    expectUnauthorized(await s.remote('/no-such-page'));
    const authed = await s.remote('/no-such-page', { headers: bearer(s.token) });
    expect(authed.status).toBe(404);
    expect(authed.body).toEqual({ detail: 'Not Found' });
  });

  it('answers 405 for a wrong method on a known route (not 404 and not 401 for the owner)', async () => {
    const res = await s.request('/api/sessions', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method Not Allowed' });
  });
});

describe('localhost bypass switched off (localhost_auth_bypass=false)', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ env: { POCKETPAW_LOCALHOST_AUTH_BYPASS: 'false' } }); });
  afterAll(() => s.close());

  it('refuses 127.0.0.1 without credentials', async () => {
    expectUnauthorized(await s.get('/api/sessions'));
    expectUnauthorized(await s.get('/api/v1/sessions'));
  });

  it('accepts 127.0.0.1 with the master token', async () => {
    const res = await s.get('/api/sessions', { headers: bearer(s.token) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessions: [], total: 0 });
  });
});
