import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyStore } from './api-keys.js';
import type { MasterToken } from './master-token.js';
import type { RevokedSessions } from './revoked-sessions.js';
import { sessionTokenExpiringAt, verifySessionToken } from './session-tokens.js';

export type AuthKind = 'master' | 'session' | 'api_key' | 'localhost';

/** Where the credential was found. `cookie` and `localhost` are ambient: a browser adds them itself. */
export type CredentialSource = 'query' | 'bearer' | 'cookie' | 'subprotocol' | 'localhost';

export interface AuthInfo {
  kind: AuthKind;
  via: CredentialSource;
  /** Only API keys (and later OAuth tokens) carry scopes; other kinds have full access. */
  scopes?: string[];
  keyId?: string;
}

export interface CredentialSources {
  queryToken?: string;
  bearer?: string;
  cookie?: string;
  /** A `pp_`/`ppat_` entry of `Sec-WebSocket-Protocol` (spec §2.5). */
  subprotocol?: string;
}

export function isAmbient(auth: AuthInfo): boolean {
  return auth.via === 'cookie' || auth.via === 'localhost';
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
  /** Expiry (unix seconds) of the last session token issued. */
  private lastExpiry = 0;

  constructor(
    private readonly master: MasterToken,
    private readonly apiKeys: ApiKeyStore,
    private readonly revoked: RevokedSessions,
  ) {}

  /** Master token or a valid session token that was not signed out. */
  isOwnerToken(value: string): 'master' | 'session' | null {
    if (this.master.matches(value)) return 'master';
    if (verifySessionToken(this.master.get(), value) && !this.revoked.isRevoked(value)) return 'session';
    return null;
  }

  /**
   * A new session token. The format (spec §2.1) is a MAC of the expiry alone, so two tokens
   * issued in the same second would be the same token, and signing one out would sign out the
   * other: each token gets an expiry of its own (a second later at most per token issued).
   */
  issueSessionToken(ttlHours: number, now = Date.now()): string {
    const natural = Math.floor(now / 1000 + ttlHours * 3600);
    const expiry = Math.max(natural, this.lastExpiry + 1);
    this.lastExpiry = expiry;
    return sessionTokenExpiringAt(this.master.get(), expiry);
  }

  /** Signs a session token out for good (logout); the master token itself cannot be. */
  revokeSession(token: string): boolean {
    if (this.isOwnerToken(token) !== 'session') return false;
    this.revoked.revoke(token);
    return true;
  }

  /**
   * Spec §2.2 step 4 a–e, first match wins; a subprotocol credential (WebSocket only) last.
   * Localhost (f) is decided by the caller, which knows the request's browser marks.
   */
  check(src: CredentialSources): AuthInfo | null {
    if (src.queryToken !== undefined) {
      const kind = this.isOwnerToken(src.queryToken);
      if (kind) return { kind, via: 'query' };
    } else if (src.bearer !== undefined) {
      const kind = this.isOwnerToken(src.bearer);
      if (kind) return { kind, via: 'bearer' };
    }
    if (src.cookie !== undefined) {
      const kind = this.isOwnerToken(src.cookie);
      if (kind) return { kind, via: 'cookie' };
    }
    const key = src.queryToken?.startsWith('pp_') ? { v: src.queryToken, via: 'query' as const }
      : src.bearer?.startsWith('pp_') ? { v: src.bearer, via: 'bearer' as const } : undefined;
    if (key) {
      const record = this.apiKeys.verify(key.v);
      if (record) return { kind: 'api_key', via: key.via, scopes: record.scopes, keyId: record.id };
    }
    // Only `pp_`/`ppat_` entries are taken from the subprotocol header: API keys, never an owner token.
    const record = src.subprotocol?.startsWith('pp_') ? this.apiKeys.verify(src.subprotocol) : null;
    if (record) return { kind: 'api_key', via: 'subprotocol', scopes: record.scopes, keyId: record.id };
    return null;
  }
}
