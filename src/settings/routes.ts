import type { FastifyInstance } from 'fastify';
import type { SettingsStore } from '../config/settings-store.js';
import { requireObjectBody } from '../http/body.js';
import { assertMayChangeSettings } from './admin-keys.js';

/** Spec §3.5: secrets never leave; values are type-checked before anything is saved. */
export function registerSettingsRoutes(app: FastifyInstance, store: SettingsStore): void {
  app.get('/api/v1/settings', {
    config: { scope: ['settings:read', 'settings:write'] },
    schema: { tags: ['settings'], summary: 'Current settings (secrets only as has_<name> flags)' },
  }, async () => store.publicView());

  app.put('/api/v1/settings', {
    config: { scope: ['settings:write'] },
    schema: { tags: ['settings'], summary: 'Change settings: {"settings": {...}} or a flat object; applies from the next turn. Base URLs, hosts, keys and safety settings need admin' },
  }, async (req) => {
    const body = requireObjectBody(req.body);
    const inner = body.settings;
    const patch = inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : body;
    assertMayChangeSettings(Object.keys(patch), req.auth);
    store.update(patch);
    return { status: 'ok' };
  });
}
