import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { IntentionInputError, type IntentionService, type IntentionUpdate } from './service.js';

const tags = ['intentions'];
const trigger = z.record(z.string(), z.unknown());
const createBody = z.object({
  name: z.string().min(1).max(200),
  prompt: z.string().min(1).max(10_000),
  trigger,
  context_sources: z.array(z.string()).default([]),
  enabled: z.boolean().default(true),
});
const patchBody = z.object({
  name: z.string().min(1).max(200).nullish(),
  prompt: z.string().min(1).max(10_000).nullish(),
  trigger: trigger.nullish(),
  context_sources: z.array(z.string()).nullish(),
  enabled: z.boolean().nullish(),
});
const idParams = z.object({ id: z.string() });
const NOT_FOUND = 'Intention not found';

/** A schedule the server cannot read is the client's mistake: 400, not PocketPaw's 500. */
function asClientError(err: unknown, prefix = ''): never {
  if (err instanceof IntentionInputError) throw new HttpError(400, `${prefix}${err.message}`);
  throw err;
}

/** Spec §3.14 (versioned only). */
/**
 * An intention is a standing order the agent runs unattended, tools and all: reading them is
 * `chat`, creating, changing and running them the owner's (`admin`).
 */
const admin = { scope: ['admin'] } as const;

export function registerIntentionRoutes(app: FastifyInstance, intentions: IntentionService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/intentions', { config: { scope: ['chat'] }, schema: { tags, summary: 'Scheduled intentions' } }, async () => ({ intentions: intentions.list() }));
  r.post('/api/v1/intentions', { config: admin, schema: { tags, summary: 'Create an intention', body: createBody } }, async (req) => {
    try {
      return { intention: intentions.create(req.body) };
    } catch (err) {
      return asClientError(err, 'Failed to create intention: ');
    }
  });
  r.patch('/api/v1/intentions/:id', { config: admin, schema: { tags, summary: 'Change an intention', params: idParams, body: patchBody.optional() } }, async (req) => {
    const updates: IntentionUpdate = {};
    for (const [k, v] of Object.entries(req.body ?? {})) if (v !== null && v !== undefined) (updates as Record<string, unknown>)[k] = v;
    if (Object.keys(updates).length === 0) throw new HttpError(400, 'No updates provided');
    let updated;
    try {
      updated = intentions.update(req.params.id, updates);
    } catch (err) {
      return asClientError(err);
    }
    if (!updated) throw new HttpError(404, NOT_FOUND);
    return { intention: updated };
  });
  r.delete('/api/v1/intentions/:id', { config: admin, schema: { tags, summary: 'Delete an intention', params: idParams } }, async (req) => {
    if (!intentions.delete(req.params.id)) throw new HttpError(404, NOT_FOUND);
    return { id: req.params.id, deleted: true };
  });
  r.post('/api/v1/intentions/:id/toggle', { config: admin, schema: { tags, summary: 'Enable or disable an intention', params: idParams } }, async (req) => {
    const updated = intentions.toggle(req.params.id);
    if (!updated) throw new HttpError(404, NOT_FOUND);
    return { intention: updated };
  });
  r.post('/api/v1/intentions/:id/run', { config: admin, schema: { tags, summary: 'Run an intention now (in the background)', params: idParams } }, async (req) => {
    const started = intentions.run(req.params.id);
    if (!started) throw new HttpError(404, NOT_FOUND);
    return { id: started.id, status: 'running', message: `Running intention: ${started.name}` };
  });
}
