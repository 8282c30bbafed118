import crypto from 'node:crypto';
import { safeEqual } from './compare.js';

/**
 * Session tokens `<expiry unix seconds>:<hex HMAC-SHA256(master, expiry)>` (spec §2.1).
 * Stateless: nothing to store, and a new master token invalidates them all.
 */
export function createSessionToken(master: string, ttlHours: number, now = Date.now()): string {
  return sessionTokenExpiringAt(master, Math.floor(now / 1000 + ttlHours * 3600));
}

/** The session token that expires at `expiresUnix` (seconds). */
export function sessionTokenExpiringAt(master: string, expiresUnix: number): string {
  const expires = String(expiresUnix);
  return `${expires}:${sign(master, expires)}`;
}

export function verifySessionToken(master: string, token: string, now = Date.now()): boolean {
  const cut = token.indexOf(':');
  if (cut <= 0) return false;
  const expires = token.slice(0, cut);
  const mac = token.slice(cut + 1);
  if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(mac)) return false;
  const macOk = safeEqual(mac, sign(master, expires));
  return macOk && now / 1000 <= Number(expires);
}

function sign(master: string, expires: string): string {
  return crypto.createHmac('sha256', Buffer.from(master, 'utf8')).update(expires).digest('hex');
}
