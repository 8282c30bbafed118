import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/load.js';
import { writeFileAtomic } from '../lib/files.js';
import type { Scope } from './scopes.js';

/** PocketPaw's `api_keys.json` record, kept byte-compatible so keys survive a switch either way. */
const recordSchema = z.object({
  id: z.string(),
  name: z.string(),
  key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  prefix: z.string(),
  scopes: z.array(z.string()),
  created_at: z.string(),
  last_used_at: z.string().nullable().default(null),
  expires_at: z.string().nullable().default(null),
  revoked: z.boolean().default(false),
});
export type ApiKeyRecord = z.infer<typeof recordSchema>;
export type PublicApiKey = Omit<ApiKeyRecord, 'key_hash'>;

const LAST_USED_FLUSH_MS = 5000;

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Parses `api_keys.json`; records that do not fit are dropped, not fatal. */
export function parseApiKeyFile(text: string): ApiKeyRecord[] {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) throw new Error('api_keys.json must hold a JSON array');
  return parsed.flatMap((r) => {
    const ok = recordSchema.safeParse(r);
    return ok.success ? [ok.data] : [];
  });
}

/** Expiry must be an ISO time with an offset; anything else makes the key invalid (spec §3.2). */
function isExpired(expiresAt: string | null, now: number): boolean {
  if (expiresAt === null) return false;
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(expiresAt.trim())) return true;
  const t = Date.parse(expiresAt);
  return !Number.isFinite(t) || now > t;
}

/**
 * API keys, stored as SHA-256 hashes in `$POCKETPAW_HOME/api_keys.json` (mode 600).
 * Held in memory for O(1) checks; `last_used_at` is flushed in the background so a busy
 * client does not rewrite the file on every request.
 */
export class ApiKeyStore {
  private records: ApiKeyRecord[] = [];
  private byHash = new Map<string, ApiKeyRecord>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(readonly file: string) {
    this.load();
  }

  static pathIn(home: string): string {
    return path.join(home, 'api_keys.json');
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      this.records = parseApiKeyFile(text);
    } catch (err) {
      throw new ConfigError(`${this.file} is not readable (${(err as Error).message}); move it aside to start without API keys.`);
    }
    this.reindex();
  }

  private reindex(): void {
    this.byHash = new Map(this.records.map((r) => [r.key_hash, r]));
  }

  private save(): void {
    writeFileAtomic(this.file, JSON.stringify(this.records, null, 2), 0o600);
  }

  list(): PublicApiKey[] {
    return this.records.map(({ key_hash: _hash, ...rest }) => rest);
  }

  create(name: string, scopes: Scope[], expiresAt: string | null): { key: string; record: PublicApiKey } {
    const key = `pp_${crypto.randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id: crypto.randomBytes(8).toString('hex'),
      name,
      key_hash: hashApiKey(key),
      prefix: key.slice(0, 12),
      scopes,
      created_at: new Date().toISOString().replace('Z', '+00:00'),
      last_used_at: null,
      expires_at: expiresAt,
      revoked: false,
    };
    this.records.push(record);
    this.reindex();
    this.save();
    const { key_hash: _hash, ...pub } = record;
    return { key, record: pub };
  }

  /** The live record for a presented key, or undefined. Marks it used. */
  verify(key: string, now = Date.now()): ApiKeyRecord | undefined {
    if (!key.startsWith('pp_')) return undefined;
    const record = this.byHash.get(hashApiKey(key));
    if (!record || record.revoked || isExpired(record.expires_at, now)) return undefined;
    record.last_used_at = new Date(now).toISOString().replace('Z', '+00:00');
    this.scheduleFlush();
    return record;
  }

  revoke(id: string): ApiKeyRecord | undefined {
    const record = this.records.find((r) => r.id === id && !r.revoked);
    if (!record) return undefined;
    record.revoked = true;
    this.save();
    return record;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.save();
    }, LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
  }

  close(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.save();
    }
  }
}
