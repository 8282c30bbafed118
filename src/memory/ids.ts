import crypto from 'node:crypto';
import path from 'node:path';

/** RFC 4122 DNS namespace, as Python's `uuid.NAMESPACE_DNS`. */
const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** UUID version 5 (SHA-1), byte for byte what Python's `uuid.uuid5(namespace, name)` returns. */
export function uuidV5(name: string, namespace = NAMESPACE_DNS): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = crypto.createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Spec §8: an entry's id is UUIDv5(DNS, "<absolute file path>:<header>:<content>"). */
export function memoryEntryId(file: string, header: string, content: string): string {
  return uuidV5(`${file}:${header}:${content}`);
}

/** The owner's memory scope; other senders get the 16-hex hash of their id. */
export const OWNER_SCOPE = 'owner';

/** PocketPaw's per-sender directory name: the first 16 hex digits of SHA-256(sender id). */
export function senderHash(sender: string): string {
  return crypto.createHash('sha256').update(sender, 'utf8').digest('hex').slice(0, 16);
}

/**
 * Spec §8: whose memory a sender reads and writes. Without an `owner_id` everyone shares the
 * owner's memory (PocketPaw's behaviour); with one, the owner (the dashboard, REST and CLI, or
 * a channel user whose id is `owner_id`) keeps the owner's memory and every other sender gets
 * their own.
 */
export function scopeForSender(sender: string, ownerId: string): string {
  if (!ownerId || sender === 'owner' || sender === ownerId) return OWNER_SCOPE;
  return senderHash(sender);
}

/**
 * Where PocketPaw keeps a scope's entries (`memory/MEMORY.md`, `memory/users/<hash>/MEMORY.md`).
 * We store in SQLite but derive ids from this path, so an entry saved here has the id PocketPaw
 * would give it in the same data dir.
 */
export function scopeFile(home: string, scope: string): string {
  return scope === OWNER_SCOPE
    ? path.join(home, 'memory', 'MEMORY.md')
    : path.join(home, 'memory', 'users', scope, 'MEMORY.md');
}
