import crypto from 'node:crypto';
import type { Settings } from '../config/settings.js';

/**
 * One inbound webhook, stored as PocketPaw stores it: an entry of the `webhook_configs` setting
 * (`{name, secret, description, sync_timeout}`; schema in config/settings.ts), so `pocketpaw
 * import` carries it over unchanged. `sync_timeout` may be missing: `webhook_sync_timeout` then.
 */
export type WebhookSlot = Settings['webhook_configs'][number];

/** Where the slots live: the `webhook_configs` setting, wired by the server (src/server/build.ts). */
export interface WebhookSlotSource {
  get(): readonly WebhookSlot[];
  save(list: WebhookSlot[]): void;
}

/** Spec §3.12. */
export const NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
/** Ours: a name is a path segment and a session label; PocketPaw sets no limit. */
export const MAX_NAME_LENGTH = 64;
/** Ours: a waiting HTTP request is held at most an hour; PocketPaw takes any value. */
export const MAX_SYNC_TIMEOUT = 3600;
export const MAX_DESCRIPTION_LENGTH = 1000;

/** PocketPaw's `secrets.token_urlsafe(32)`: 32 random bytes, URL-safe base64 without padding (43 chars). */
export function newSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What a listing shows of a secret: enough to tell two apart, never enough to use (spec §3.12). */
export function maskSecret(secret: string): string {
  return secret.length > 4 ? `***${secret.slice(-4)}` : '***';
}
