import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { HttpResult } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';

export const UNAUTHORIZED = { detail: 'Unauthorized' };

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function cookie(value: string): Record<string, string> {
  return { cookie: `pocketpaw_session=${value}` };
}

/**
 * A session token built from the spec alone (§2.1), not from the server's code:
 * `<expiry unix seconds>:<lowercase hex HMAC-SHA256 keyed with the master token over the expiry>`.
 */
export function specSessionToken(master: string, expiresUnix: number): string {
  const exp = String(expiresUnix);
  return `${exp}:${crypto.createHmac('sha256', Buffer.from(master, 'utf8')).update(exp).digest('hex')}`;
}

export const nowUnix = () => Math.floor(Date.now() / 1000);

export interface CreatedKey {
  key: string;
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
}

/** Creates an API key as the owner (localhost bypass) and asserts it was created. */
export async function createKey(s: TestServer, body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await s.post('/api/v1/auth/api-keys', body);
  expect(res.status, res.text).toBe(200);
  return res.body as CreatedKey;
}

/** Session token minted by the server (POST /api/auth/session with the master token). */
export async function mintSessionToken(s: TestServer): Promise<string> {
  const res = await s.remote('/api/auth/session', { method: 'POST', headers: bearer(s.token) });
  expect(res.status, res.text).toBe(200);
  return res.body.session_token as string;
}

export function expectUnauthorized(res: HttpResult): void {
  expect(res.status).toBe(401);
  expect(res.body).toEqual(UNAUTHORIZED);
}

/** The `Set-Cookie` header as one string (Node gives an array). */
export function setCookieOf(res: HttpResult): string {
  const sc = res.headers['set-cookie'];
  expect(sc, 'Set-Cookie header').toBeDefined();
  expect(sc).toHaveLength(1);
  return sc![0]!;
}

/** Reads `name=value` out of a Set-Cookie string. */
export function cookieValueOf(setCookie: string, name = 'pocketpaw_session'): string {
  const first = setCookie.split(';')[0]!;
  const eq = first.indexOf('=');
  expect(first.slice(0, eq)).toBe(name);
  return first.slice(eq + 1);
}
