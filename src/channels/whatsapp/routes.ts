import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Settings } from '../../config/settings.js';
import { constantTimeEqual, validSignature } from './signature.js';

export interface WhatsAppRouteDeps {
  settings: () => Settings;
  /** Hands a signed payload to the running adapter; false when WhatsApp is not running. */
  receive: (payload: unknown) => boolean;
}

const tags = ['channels'];
/** Meta's webhook batches are small; nothing legitimate comes near this. */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * The WhatsApp Cloud API's doors (spec §3.7). Both webhook routes are public (src/auth/access.ts):
 * Meta cannot sign in, so each proves itself — GET by the verify token, POST by the app secret's
 * HMAC over the raw bytes, checked before anything parses them. Personal mode (QR pairing) is not
 * supported, so the QR routes always report no code and no connection.
 */
export function registerWhatsAppRoutes(app: FastifyInstance, deps: WhatsAppRouteDeps): void {
  app.get('/webhook/whatsapp', { schema: { tags, summary: 'WhatsApp webhook verification (Meta sends the verify token)' } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const configured = deps.settings().whatsapp_verify_token;
    reply.type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff');
    if (!configured) return reply.code(503).send('Not configured');
    const token = typeof q['hub.verify_token'] === 'string' ? q['hub.verify_token'] : '';
    const challenge = typeof q['hub.challenge'] === 'string' ? q['hub.challenge'] : '';
    if (q['hub.mode'] !== 'subscribe' || !constantTimeEqual(token, configured)) return reply.code(403).send('Forbidden');
    return reply.code(200).send(challenge);
  });

  // Its own context, so its parser (raw bytes, any type, 1 MB) applies to this route only: the
  // signature is over the exact bytes Meta sent, and no JSON parser may touch them first.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body));

    scope.post('/webhook/whatsapp', { bodyLimit: WEBHOOK_BODY_LIMIT, schema: { tags, summary: 'WhatsApp Cloud API events (signed by the app secret)' } }, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!validSignature(deps.settings().whatsapp_app_secret, raw, req.headers['x-hub-signature-256'])) {
        req.log.warn('rejected a WhatsApp webhook call: X-Hub-Signature-256 missing or not signed with whatsapp_app_secret');
        return reply.code(403).send({ detail: 'Invalid signature' });
      }
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply.code(400).send({ detail: 'Invalid JSON body' });
      }
      // The adapter works on it in the background: Meta retries a webhook that answers slowly.
      return { status: deps.receive(payload) ? 'ok' : 'not configured' };
    });
  });

  for (const path of ['/api/whatsapp/qr', '/api/v1/whatsapp/qr']) {
    app.get(path, { config: { scope: ['channels'] }, schema: { tags, summary: 'WhatsApp personal-mode QR code (not supported: always none)' } }, async () => ({ qr: null, connected: false }));
  }
}
