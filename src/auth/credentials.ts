import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyStore } from './api-keys.js';
import type { MasterToken } from './master-token.js';
import { verifySessionToken } from './session-tokens.js';

export type AuthKind = 'master' | 'session' | 'api_key' | 'localhost';

export interface AuthInfo {
  kind: AuthKind;
  /** Only API keys (and later OAuth tokens) carry scopes; other kinds have full access. */
  scopes?: string[];
  keyId?: string;
}

export interface CredentialSources {
  queryToken?: string;
  bearer?: string;
  cookie?: string;
}

const PROXY_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded', 'cf-connecting-ip'];
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Genuine localhost (spec §2.4): the owner's own loopback address, with no proxy header.
 * A same-host reverse proxy or tunnel delivers strangers from loopback, and adds such a header.
 */
export function isGenuineLocalhost(peer: string | undefined, headers: IncomingHttpHeaders, bypassEnabled: boolean): boolean {
  if (!bypassEnabled || !peer || !LOOPBACK.has(peer)) return false;
  return !PROXY_HEADERS.some((h) => headers[h] !== undefined);
}

export function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1]?.trim();
}

export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers.cookie;
  if (typeof raw !== 'string') return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

export class CredentialChecker {
  constructor(private readonly master: MasterToken, private readonly apiKeys: ApiKeyStore) {}

  /** Master token or a valid session token. */
  isOwnerToken(value: string): 'master' | 'session' | null {
    if (this.master.matches(value)) return 'master';
    if (verifySessionToken(this.master.get(), value)) return 'session';
    return null;
  }

  /** Spec §2.2 step 4 a–e, first match wins. Localhost (f) is the caller's concern. */
  check(src: CredentialSources): AuthInfo | null {
    if (src.queryToken !== undefined) {
      const kind = this.isOwnerToken(src.queryToken);
      if (kind) return { kind };
    } else if (src.bearer !== undefined) {
      const kind = this.isOwnerToken(src.bearer);
      if (kind) return { kind };
    }
    if (src.cookie !== undefined) {
      const kind = this.isOwnerToken(src.cookie);
      if (kind) return { kind };
    }
    const keyCandidate = src.queryToken?.startsWith('pp_') ? src.queryToken : src.bearer?.startsWith('pp_') ? src.bearer : undefined;
    if (keyCandidate) {
      const record = this.apiKeys.verify(keyCandidate);
      if (record) return { kind: 'api_key', scopes: record.scopes, keyId: record.id };
    }
    return null;
  }
}
