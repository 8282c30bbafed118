import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SettingsStore } from '../../config/settings-store.js';
import type { TelegramPairing } from './pairing.js';

const tags = ['telegram'];

/** PocketPaw's legacy route reads the body as a plain dict: anything without a token is "required". */
const legacyBody = z.object({ bot_token: z.string() }).loose();
/** The v1 route is typed: an empty token is FastAPI's 422. */
const v1Body = z.object({ bot_token: z.string().trim().min(1) });

/** Telegram user ids are integers on the wire (spec §3.21); we keep them as strings. */
function numericId(id: string | null): number | null {
  return id !== null && /^-?\d+$/.test(id) ? Number(id) : null;
}

/** How the QR code is drawn: medium error correction survives a phone camera; 8 px a module. */
export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2, scale: 8 } as const;

/** What the routes use of the pairing service (a lazily loaded wrapper fits too). */
export type PairingRoutesService = Pick<TelegramPairing, 'setup' | 'status'>;

/**
 * Spec §3.21 on both path families. None declares a scope, so all are admin-only: pairing
 * decides who may drive the agent from Telegram, which only the owner may change. (PocketPaw
 * leaves them open to any credential.)
 */
export function registerTelegramPairingRoutes(app: FastifyInstance, deps: { pairing: PairingRoutesService; settings: SettingsStore }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { pairing, settings } = deps;

  const status = async () => {
    const s = settings.get();
    return { configured: s.telegram_bot_token.trim() !== '' && !!s.allowed_user_id, user_id: numericId(s.allowed_user_id) };
  };
  const pairingStatus = async () => pairing.status();

  /** `{qr_url, deep_link}` or the reason Telegram refused the token. */
  const start = async (token: string): Promise<{ qr_url: string; deep_link: string } | { error: string }> => {
    try {
      const { deepLink } = await pairing.setup(token);
      const { default: QRCode } = await import('qrcode'); // on first use, not at start-up (issue 14)
      return { qr_url: await QRCode.toDataURL(deepLink, QR_OPTIONS), deep_link: deepLink };
    } catch (err) {
      return { error: `Failed to connect to Telegram: ${(err as Error).message}` };
    }
  };

  for (const base of ['/api', '/api/v1']) {
    r.get(`${base}/telegram/status`, { schema: { tags, summary: 'Whether Telegram has a bot token and a paired user' } }, status);
    r.get(`${base}/telegram/pairing-status`, { schema: { tags, summary: 'Whether the pairing in progress has completed, and with whom' } }, pairingStatus);
  }

  r.post('/api/telegram/setup', { schema: { tags, summary: 'Start pairing a Telegram bot: a deep link and its QR code' } }, async (req) => {
    const parsed = legacyBody.safeParse(req.body ?? {});
    const token = parsed.success ? parsed.data.bot_token.trim() : '';
    if (!token) return { error: 'Bot token is required' };
    return start(token);
  });

  r.post('/api/v1/telegram/setup', { schema: { tags, summary: 'Start pairing a Telegram bot: a deep link and its QR code', body: v1Body } }, async (req) => {
    const result = await start(req.body.bot_token);
    return 'error' in result ? { qr_url: '', deep_link: '', error: result.error } : { ...result, error: null };
  });
}
