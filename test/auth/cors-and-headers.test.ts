import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, expectUnauthorized } from './auth-helpers.js';

// Spec §2.7, tightened (SECURITY.md): only the desktop app's origins by default; other
// localhost ports are any program's pages, so they need api_cors_allowed_origins too.

const ALLOWED = ['tauri://localhost', 'https://tauri.localhost'];
const REFUSED = [
  'https://evil.example', 'http://localhost.evil.example', 'http://localhost:5173.evil.example', 'http://127.0.0.2:8888', 'null',
  'https://mine.example', 'http://localhost:5173', 'http://localhost:1420', 'http://127.0.0.1:8888', 'https://localhost',
];

function expectCorsAllowed(res: HttpResult, origin: string): void {
  expect(res.headers['access-control-allow-origin']).toBe(origin);
  expect(res.headers['access-control-allow-credentials']).toBe('true');
}

function expectNoCors(res: HttpResult): void {
  expect(res.headers['access-control-allow-origin']).toBeUndefined();
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
}

function expectSecurityHeaders(res: HttpResult): void {
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(res.headers['permissions-policy']).toEqual(expect.any(String));
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  // Plain HTTP: no HSTS.
  expect(res.headers['strict-transport-security']).toBeUndefined();
}

describe('CORS with default settings', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.close());

  for (const origin of ALLOWED) {
    it(`echoes ${origin} with credentials`, async () => {
      const res = await s.remote('/api/sessions', { headers: { origin, ...bearer(s.token) } });
      expect(res.status).toBe(200);
      expectCorsAllowed(res, origin);
      expect(String(res.headers.vary)).toMatch(/\bOrigin\b/i);
    });
  }

  it('sends no CORS headers for other origins (the request itself is still served)', async () => {
    for (const origin of REFUSED) {
      const res = await s.remote('/api/sessions', { headers: { origin, ...bearer(s.token) } });
      expect(res.status, origin).toBe(200);
      expectNoCors(res);
    }
  });

  it('sends no CORS headers without an Origin', async () => {
    expectNoCors(await s.remote('/api/sessions', { headers: bearer(s.token) }));
  });

  it('answers a preflight from 127.0.0.2 without credentials, allowing all methods and the asked headers', async () => {
    for (const path of ['/api/sessions', '/api/v1/auth/api-keys/0123456789abcdef']) {
      const res = await s.remote(path, {
        method: 'OPTIONS',
        headers: {
          origin: 'tauri://localhost',
          'access-control-request-method': 'DELETE',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(res.status, path).toBeGreaterThanOrEqual(200);
      expect(res.status, path).toBeLessThan(300);
      expectCorsAllowed(res, 'tauri://localhost');
      const methods = String(res.headers['access-control-allow-methods']).split(/\s*,\s*/);
      for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) expect(methods).toContain(m);
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
    }
  });

  it('does not allow a preflight from a foreign origin or another localhost port', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:5173']) {
      const res = await s.remote('/api/sessions', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
      expectNoCors(res);
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
    }
  });

  it('lets the browser read a 401 from an allowed origin', async () => {
    const res = await s.remote('/api/sessions', { headers: { origin: 'tauri://localhost' } });
    expectUnauthorized(res);
    expectCorsAllowed(res, 'tauri://localhost');
  });
});

describe('CORS with api_cors_allowed_origins', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ env: { POCKETPAW_API_CORS_ALLOWED_ORIGINS: '["https://mine.example"]' } }); });
  afterAll(() => s.close());

  it('allows the configured origin, and still the built-in ones', async () => {
    for (const origin of ['https://mine.example', 'tauri://localhost']) {
      const res = await s.remote('/api/sessions', { headers: { origin, ...bearer(s.token) } });
      expectCorsAllowed(res, origin);
    }
    const pre = await s.remote('/api/sessions', {
      method: 'OPTIONS', headers: { origin: 'https://mine.example', 'access-control-request-method': 'GET' },
    });
    expect(pre.status).toBeLessThan(300);
    expectCorsAllowed(pre, 'https://mine.example');
  });

  it('still refuses other origins', async () => {
    for (const origin of ['https://evil.example', 'https://mine.example.evil.example', 'http://mine.example', 'http://localhost:5173']) {
      expectNoCors(await s.remote('/api/sessions', { headers: { origin, ...bearer(s.token) } }));
    }
  });
});

describe('security headers', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ mode: 'dashboard' }); });
  afterAll(() => s.close());

  it('are on the dashboard page, which is served without credentials', async () => {
    const res = await s.remote('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectSecurityHeaders(res);
  });

  it('are on API answers: 200, 401 and 404', async () => {
    expectSecurityHeaders(await s.get('/api/sessions'));
    const denied = await s.remote('/api/sessions');
    expectUnauthorized(denied);
    expectSecurityHeaders(denied);
    const missing = await s.get('/api/nope');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
  });
});
