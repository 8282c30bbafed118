import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../lib/files.js';

/**
 * Session tokens signed out before they expire (logout). Session tokens are stateless HMACs, so
 * without this list a stolen cookie would stay valid until its expiry however often the owner
 * logs out. Entries are SHA-256 hashes (the file never holds a usable token) with the token's
 * own expiry, after which they are dropped: an expired token is refused anyway.
 *
 * Kept in `$POCKETPAW_HOME/revoked_sessions.json` (mode 600) so a restart does not bring a
 * signed-out cookie back.
 */
export class RevokedSessions {
  /** hash → expiry (unix seconds). */
  private readonly entries = new Map<string, number>();

  constructor(readonly file: string) {
    this.load();
  }

  static pathIn(home: string): string {
    return path.join(home, 'revoked_sessions.json');
  }

  private static hash(token: string): string {
    return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
  }

  private load(): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return; // none yet, or unreadable: nothing revoked that we can honour
    }
    if (!parsed || typeof parsed !== 'object') return;
    for (const [hash, exp] of Object.entries(parsed as Record<string, unknown>)) {
      if (/^[0-9a-f]{64}$/.test(hash) && typeof exp === 'number') this.entries.set(hash, exp);
    }
  }

  isRevoked(token: string): boolean {
    return this.entries.size > 0 && this.entries.has(RevokedSessions.hash(token));
  }

  /** Revokes a session token `<expiry>:<mac>`; the caller has verified it. */
  revoke(token: string, now = Date.now()): void {
    const expires = Number(token.slice(0, token.indexOf(':')));
    if (!Number.isFinite(expires)) return;
    const nowSec = now / 1000;
    for (const [hash, exp] of this.entries) if (exp < nowSec) this.entries.delete(hash);
    this.entries.set(RevokedSessions.hash(token), expires);
    writeFileAtomic(this.file, `${JSON.stringify(Object.fromEntries(this.entries))}\n`, 0o600);
  }
}
