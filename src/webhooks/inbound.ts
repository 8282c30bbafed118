import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Settings } from '../config/settings.js';
import { HttpError } from '../http/errors.js';
import type { MediaStore } from '../media/store.js';
import { verifyWebhook } from './auth.js';
import { downloadMedia } from './download.js';
import type { FailureAudit } from './failure-audit.js';
import { parseInbound } from './payload.js';
import { withTimeout, type WebhookRunner } from './runner.js';
import type { WebhookStore } from './store.js';

/** Spec §3.12 (ours): a webhook body is JSON text, never a file; 1 MB as every JSON route. */
export const INBOUND_BODY_LIMIT = 1024 * 1024;

export interface InboundDeps {
  store: WebhookStore;
  runner: WebhookRunner;
  media: MediaStore;
  settings: () => Settings;
  failures: FailureAudit;
}

const TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/** FastAPI's boolean query parameter: the words pydantic reads as true or false, else 422. */
const waitParam = z.string().optional().transform((v, ctx) => {
  const s = (v ?? 'false').trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  ctx.addIssue({ code: 'custom', message: 'Input should be a valid boolean, unable to interpret input' });
  return z.NEVER;
});

function presented(headers: Record<string, unknown>): 'secret' | 'signature' | 'none' {
  if (headers['x-webhook-signature'] !== undefined) return 'signature';
  return headers['x-webhook-secret'] !== undefined ? 'secret' : 'none';
}

/**
 * `POST /webhook/inbound/{name}` (spec §3.12): public, each webhook proving itself with its own
 * secret. Registered in its own context so its body parser hands the handler the raw bytes: the
 * signature is checked over exactly what was sent, and nothing is parsed before the caller has
 * proved the secret. Order: name (404), secret or signature (403, audited), JSON (400), body
 * fields (400), in-flight cap (429), media URLs through the SSRF guard (400, nothing run), then
 * the turn in its own session `webhook:<request id>` with `webhook_tool_profile`.
 */
export function registerInboundRoute(app: FastifyInstance, deps: InboundDeps): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INBOUND_BODY_LIMIT }, (_req, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post('/webhook/inbound/:name', {
      bodyLimit: INBOUND_BODY_LIMIT,
      schema: {
        tags: ['webhooks'],
        summary: 'Send a message to the agent through a webhook (X-Webhook-Secret or X-Webhook-Signature)',
        params: z.object({ name: z.string() }),
        querystring: z.object({ wait: waitParam }),
      },
    }, async (req) => {
      const slot = deps.store.find(req.params.name);
      if (!slot) throw new HttpError(404, `Webhook '${req.params.name}' not found`);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifyWebhook(req.headers, raw, slot.secret)) {
        deps.failures.refused(slot.name, { ip: req.ip, by: presented(req.headers) });
        throw new HttpError(403, 'Invalid webhook secret or signature');
      }
      const message = parseInbound(raw, slot.name);
      const release = deps.runner.claim(slot.name);
      const settings = deps.settings();
      let attachments;
      try {
        attachments = await downloadMedia(message.mediaUrls, deps.media, { allowPrivate: settings.web_fetch_allow_private });
      } catch (err) {
        release();
        throw err;
      }
      const requestId = crypto.randomUUID();
      const turn = deps.runner.run({
        baseKey: `webhook:${requestId}`,
        text: message.text,
        metadata: message.metadata,
        sender: message.sender,
        attachments,
        toolProfile: settings.webhook_tool_profile,
      }, release);
      if (!req.query.wait) return { status: 'accepted', request_id: requestId };
      const outcome = await withTimeout(turn, deps.store.timeoutOf(slot));
      return outcome ? { status: 'ok', request_id: requestId, response: outcome.response } : { status: 'timeout', request_id: requestId };
    });
  });
}
