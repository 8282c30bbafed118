import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SettingsStore } from '../config/settings-store.js';
import { NotFoundError } from '../lib/errors.js';
import { requireObjectBody } from '../http/body.js';
import { assertMayChangeSettings } from '../settings/admin-keys.js';
import { clampLegacy, legacyLimit, v1Limit } from '../sessions/schemas.js';
import { OWNER_SCOPE } from './ids.js';
import type { MemoryEntry, MemoryStore } from './store.js';

const scope = ['memory'] as const;
const tags = ['memory'];

/** The nine memory settings of spec §3.4, in PocketPaw's order. */
export const MEMORY_SETTING_KEYS = [
  'memory_backend', 'memory_use_inference', 'mem0_llm_provider', 'mem0_llm_model', 'mem0_embedder_provider',
  'mem0_embedder_model', 'mem0_vector_store', 'mem0_ollama_base_url', 'mem0_auto_learn',
] as const;

const entryParams = z.object({ entry_id: z.string().describe('Memory entry id (a UUID)') });
/** Ours: `q` searches the owner's memories (most relevant first) instead of listing them all. */
const searchQuery = z.string().max(500).optional().describe('Search the owner\'s memories for these words (ours)');
const addBody = z.object({
  content: z.string().trim().min(1).max(10_000),
  header: z.string().max(200).optional(),
  tags: z.array(z.string().max(50)).max(20).optional(),
});

function toJson(e: MemoryEntry) {
  return { id: e.id, content: e.content, timestamp: e.created_at, tags: e.tags };
}

/**
 * Long-term memory REST (spec §3.4) on both path families. Stats report real numbers from the
 * store instead of PocketPaw's file-backend "N/A" (see README "Memory").
 */
export function registerMemoryRoutes(app: FastifyInstance, memory: MemoryStore, settingsStore: SettingsStore): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const config = { scope };
  const store = () => memory;

  const listOrSearch = (limit: number, q: string | undefined) =>
    (q?.trim() ? store().search(OWNER_SCOPE, q, limit) : store().list(limit)).map(toJson);
  r.get('/api/memory/long_term', {
    config, schema: { tags, summary: 'Long-term memory entries (owner first, then other senders)', querystring: z.object({ limit: legacyLimit(50), q: searchQuery }) },
  }, async (req) => listOrSearch(clampLegacy(req.query.limit), req.query.q));
  r.get('/api/v1/memory/long_term', {
    config, schema: { tags, summary: 'Long-term memory entries (owner first, then other senders)', querystring: z.object({ limit: v1Limit(50, 500), q: searchQuery }) },
  }, async (req) => listOrSearch(req.query.limit, req.query.q));
  // Ours: the dashboard's Memory panel saves what the owner types, as the `remember` tool would.
  r.post('/api/v1/memory/long_term', {
    config, schema: { tags, summary: 'Save a long-term memory for the owner (saving the same text again changes nothing)', body: addBody },
  }, async (req) => {
    const { entry, added } = store().add({ scope: OWNER_SCOPE, content: req.body.content, header: req.body.header, tags: req.body.tags });
    return { ...toJson(entry), added };
  });

  for (const path of ['/api/memory/long_term/:entry_id', '/api/v1/memory/long_term/:entry_id']) {
    r.delete(path, { config, schema: { tags, summary: 'Delete a long-term memory entry', params: entryParams } }, async (req) => {
      if (store().delete(req.params.entry_id) === 0) throw new NotFoundError('Memory entry not found');
      return { ok: true };
    });
  }

  for (const path of ['/api/memory/settings', '/api/v1/memory/settings']) {
    r.get(path, { config, schema: { tags, summary: 'Memory settings' } }, async () => {
      const s = settingsStore.get();
      return Object.fromEntries(MEMORY_SETTING_KEYS.map((k) => [k, s[k]]));
    });
    r.post(path, { config, schema: { tags, summary: 'Save memory settings (any subset of the nine keys; others ignored)' } }, async (req) => {
      const body = requireObjectBody(req.body);
      const patch = Object.fromEntries(MEMORY_SETTING_KEYS.filter((k) => k in body).map((k) => [k, body[k]]));
      assertMayChangeSettings(Object.keys(patch), req.auth);
      settingsStore.update(patch);
      return { status: 'ok' };
    });
  }

  for (const path of ['/api/memory/stats', '/api/v1/memory/stats']) {
    r.get(path, { config, schema: { tags, summary: 'Memory statistics' } }, async () => {
      const { total, owner, scopes } = store().stats();
      return {
        backend: settingsStore.get().memory_backend,
        storage: 'sqlite',
        total_memories: total,
        by_type: { long_term: total },
        owner_memories: owner,
        sender_scopes: scopes,
      };
    });
  }
}
