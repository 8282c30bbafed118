import type { AuthInfo } from '../auth/credentials.js';
import { hasScope } from '../auth/scopes.js';
import { ADMIN_SETTINGS } from '../config/settings.js';
import { ForbiddenError } from '../lib/errors.js';

/**
 * The settings among `keys` that this credential may not change: those that redirect traffic or
 * weaken safety (ADMIN_SETTINGS), unless it holds `admin`. Full-access credentials (`scopes`
 * undefined) may change anything.
 */
export function adminOnlyKeys(keys: readonly string[], scopes: readonly string[] | undefined): string[] {
  if (!scopes || hasScope(scopes, ['admin'])) return [];
  return keys.filter((k) => ADMIN_SETTINGS.has(k));
}

/** REST: 403 naming the settings when a `settings:write` key tries to change an admin-only one. */
export function assertMayChangeSettings(keys: readonly string[], auth: AuthInfo | null): void {
  const refused = adminOnlyKeys(keys, auth?.scopes);
  if (refused.length) throw new ForbiddenError(`Changing ${refused.join(', ')} needs an admin credential`);
}
