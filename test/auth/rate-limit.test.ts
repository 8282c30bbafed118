import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type HttpResult, type RequestOptions } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, expectUnauthorized } from './auth-helpers.js';

// Spec §2.2 steps 3 and 6, §2.6, §11.11. Refill rates are tiny so no token comes back mid-test;
// each test uses its own loopback source address, i.e. its own per-IP bucket.

const TOO_MANY = { detail: 'Too many requests' };

function from(s: TestServer, ip: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  return request(s.url, path, { ...opts, localAddress: ip });
}

function limitHeaders(res: HttpResult) {
  return {
    limit: res.headers['x-ratelimit-limit'],
    remaining: res.headers['x-ratelimit-remaining'],
    reset: res.headers['x-ratelimit-reset'],
  };
}

/** Retry-After: whole seconds, rounded up; with refill 0.01/s the next token takes at most 100 s. */
function expectSeconds(value: string | string[] | undefined): void {
  expect(value).toMatch(/^\d+$/);
  const n = Number(value);
  expect(n).toBeGreaterThanOrEqual(1);
  expect(n).toBeLessThanOrEqual(100);
}

function expect429(res: HttpResult, body: unknown): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual(body);
  expectSeconds(res.headers['retry-after']);
}

describe('api limiter (burst 3, refill 0.01/s) and per-key limiter (2 per minute)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      env: {
        POCKETPAW_RATE_LIMIT_ENABLED: 'true',
        POCKETPAW_RATE_LIMIT_API_BURST: '3',
        POCKETPAW_RATE_LIMIT_API_PER_SECOND: '0.01',
        POCKETPAW_API_RATE_LIMIT_PER_KEY: '2',
      },
    });
  });
  afterAll(() => s.close());

  it('sends X-RateLimit-* on success, then 429 {"detail":"Too many requests"} with Retry-After', async () => {
    const ip = '127.0.0.3';
    for (const remaining of ['2', '1', '0']) {
      const res = await from(s, ip, '/api/sessions', { headers: bearer(s.token) });
      expect(res.status).toBe(200);
      const h = limitHeaders(res);
      expect(h.limit).toBe('3');
      expect(h.remaining).toBe(remaining);
      // Whole seconds; the bucket is no longer full, so it is at least 1.
      expect(h.reset).toMatch(/^[1-9]\d*$/);
    }
    const denied = await from(s, ip, '/api/sessions', { headers: bearer(s.token) });
    expect429(denied, TOO_MANY);
    expect(limitHeaders(denied).remaining).toBe('0');
    // Every non-exempt path shares the bucket.
    expect429(await from(s, ip, '/api/v1/sessions', { headers: bearer(s.token) }), TOO_MANY);
    expect429(await from(s, ip, '/api/auth/logout', { method: 'POST', headers: bearer(s.token) }), TOO_MANY);
  });

  it('keeps one bucket per client IP', async () => {
    for (let i = 0; i < 3; i++) expect((await from(s, '127.0.0.4', '/api/sessions', { headers: bearer(s.token) })).status).toBe(200);
    expect429(await from(s, '127.0.0.4', '/api/sessions', { headers: bearer(s.token) }), TOO_MANY);
    const other = await from(s, '127.0.0.5', '/api/sessions', { headers: bearer(s.token) });
    expect(other.status).toBe(200);
    expect(limitHeaders(other).remaining).toBe('2');
  });

  it('applies to the owner on localhost too', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await s.get('/api/sessions');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
    }
    expect429(await s.get('/api/sessions'), TOO_MANY);
  });

  it('counts unauthenticated requests before answering 401 (limit comes before auth)', async () => {
    for (let i = 0; i < 3; i++) expectUnauthorized(await from(s, '127.0.0.6', '/api/sessions'));
    expect429(await from(s, '127.0.0.6', '/api/sessions'), TOO_MANY);
    // ...and the 429 holds even with good credentials now.
    expect429(await from(s, '127.0.0.6', '/api/sessions', { headers: bearer(s.token) }), TOO_MANY);
  });

  it('does not limit exempt paths (/api/v1/openapi.json)', async () => {
    const ip = '127.0.0.7';
    for (let i = 0; i < 3; i++) await from(s, ip, '/api/sessions', { headers: bearer(s.token) });
    expect429(await from(s, ip, '/api/sessions', { headers: bearer(s.token) }), TOO_MANY);
    for (let i = 0; i < 4; i++) {
      const res = await from(s, ip, '/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body).toHaveProperty('openapi');
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('limits each API key: 429 {"detail":"API key rate limit exceeded"}, headers from the key limiter', async () => {
    const created = await from(s, '127.0.0.8', '/api/v1/auth/api-keys', { method: 'POST', json: { name: 'busy', scopes: ['sessions'] }, headers: bearer(s.token) });
    expect(created.status).toBe(200);
    const key = created.body.key as string;

    const first = await from(s, '127.0.0.9', '/api/v1/sessions', { headers: bearer(key) });
    expect(first.status).toBe(200);
    expect(limitHeaders(first)).toMatchObject({ limit: '2', remaining: '1' });
    expect(first.headers['x-ratelimit-reset']).toMatch(/^\d+$/);
    const second = await from(s, '127.0.0.9', '/api/v1/sessions', { headers: bearer(key) });
    expect(second.status).toBe(200);
    expect(limitHeaders(second)).toMatchObject({ limit: '2', remaining: '0' });

    const denied = await from(s, '127.0.0.9', '/api/v1/sessions', { headers: bearer(key) });
    expect(denied.status).toBe(429);
    expect(denied.body).toEqual({ detail: 'API key rate limit exceeded' });
    expect(denied.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(denied.headers['x-ratelimit-limit']).toBe('2');

    // The bucket belongs to the key, not the address.
    const elsewhere = await from(s, '127.0.0.10', '/api/v1/sessions', { headers: bearer(key) });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body).toEqual({ detail: 'API key rate limit exceeded' });
    // The same address still works with the master token.
    expect((await from(s, '127.0.0.10', '/api/v1/sessions', { headers: bearer(s.token) })).status).toBe(200);
  });
});

describe('auth limiter on POST /api/auth/session (burst 5 by default)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { POCKETPAW_RATE_LIMIT_ENABLED: 'true', POCKETPAW_RATE_LIMIT_AUTH_PER_SECOND: '0.01' } });
  });
  afterAll(() => s.close());

  it('allows 5 then answers 429 with Retry-After, for good and bad tokens alike', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await s.remote('/api/auth/session', { method: 'POST', headers: bearer(s.token) });
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
    }
    expect429(await s.remote('/api/auth/session', { method: 'POST', headers: bearer(s.token) }), TOO_MANY);
    // Other routes use the api limiter (burst 30), which is untouched.
    expect((await s.remote('/api/sessions', { headers: bearer(s.token) })).status).toBe(200);
  });

  it('throttles guessing from another address the same way', async () => {
    const guess = { method: 'POST', headers: bearer('00000000-0000-4000-8000-000000000000') };
    for (let i = 0; i < 5; i++) {
      const res = await request(s.url, '/api/auth/session', { ...guess, localAddress: '127.0.0.11' });
      expect(res.status).toBe(401);
    }
    expect429(await request(s.url, '/api/auth/session', { ...guess, localAddress: '127.0.0.11' }), TOO_MANY);
  });
});

describe('rate_limit_enabled=false', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ env: { POCKETPAW_RATE_LIMIT_ENABLED: 'false' } }); });
  afterAll(() => s.close());

  it('sends no X-RateLimit-* headers and never answers 429', async () => {
    for (let i = 0; i < 35; i++) {
      const res = await s.remote('/api/sessions', { headers: bearer(s.token) });
      expect(res.status).toBe(200);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit') || h === 'retry-after')).toEqual([]);
    }
    for (let i = 0; i < 7; i++) {
      expect((await s.remote('/api/auth/session', { method: 'POST', headers: bearer(s.token) })).status).toBe(200);
    }
  });
});
