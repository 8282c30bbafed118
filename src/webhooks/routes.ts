import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../audit/log.js';
import type { Settings } from '../config/settings.js';
import { requireObjectBody } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import { maskSecret } from './slot.js';
import { WebhookExistsError, type WebhookStore } from './store.js';
import { inboundUrl } from './url.js';

const tags = ['webhooks'];

/**
 * Raw-body routes (spec §1.3): any JSON object, malformed JSON is 400 `Invalid JSON body`, and a
 * missing name is the route's own 400/404 rather than a 422. A field of the wrong type is a 400
 * that names it.
 */
const addBody = z.object({
  name: z.string({ error: '"name" must be a string' }).optional(),
  description: z.string({ error: '"description" must be a string' }).nullish(),
  sync_timeout: z.number({ error: '"sync_timeout" must be a number of seconds' }).nullish(),
});
const nameBody = z.object({ name: z.string({ error: '"name" must be a string' }).default('') });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(requireObjectBody(body));
  if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]!.message);
  return parsed.data;
}

export interface WebhookRouteDeps {
  store: WebhookStore;
  settings: () => Settings;
  audit: Pick<AuditLog, 'write'>;
}

/**
 * Spec §3.12, on `/api/...` and `/api/v1/...`. No `config.scope`: admin only (src/auth/access.ts)
 * — a webhook's secret lets anyone who holds it drive the agent. Secrets leave the server only in
 * the answers to add and regenerate-secret; listings mask them, audit lines never hold them.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const { store } = deps;
  const audit = (action: string, target: string) => deps.audit.write({ action, target, actor: 'api_client' });
  for (const prefix of ['/api', '/api/v1']) {
    app.get(`${prefix}/webhooks`, { schema: { tags, summary: 'Inbound webhooks, secrets masked, with the URL to call' } }, async (req) => {
      const settings = deps.settings();
      return {
        webhooks: store.list().map((slot) => ({
          name: slot.name,
          description: slot.description,
          secret: maskSecret(slot.secret),
          sync_timeout: store.timeoutOf(slot),
          url: inboundUrl(req, settings, slot.name),
        })),
      };
    });

    app.post(`${prefix}/webhooks/add`, { schema: { tags, summary: 'Create an inbound webhook; the answer holds its secret' } }, async (req) => {
      const body = parse(addBody, req.body);
      try {
        const slot = store.add({ name: body.name, description: body.description ?? undefined, sync_timeout: body.sync_timeout ?? undefined });
        audit('webhook_added', slot.name);
        return { status: 'ok', webhook: { name: slot.name, secret: slot.secret, description: slot.description, sync_timeout: slot.sync_timeout } };
      } catch (err) {
        if (err instanceof WebhookExistsError) throw new HttpError(409, err.message);
        throw err;
      }
    });

    app.post(`${prefix}/webhooks/remove`, { schema: { tags, summary: 'Delete an inbound webhook' } }, async (req) => {
      const { name } = parse(nameBody, req.body);
      store.remove(name);
      audit('webhook_removed', name);
      return { status: 'ok' };
    });

    app.post(`${prefix}/webhooks/regenerate-secret`, { schema: { tags, summary: "Replace a webhook's secret; the old one stops working" } }, async (req) => {
      const { name } = parse(nameBody, req.body);
      const secret = store.regenerate(name);
      audit('webhook_secret_regenerated', name);
      return { status: 'ok', secret };
    });
  }
}
