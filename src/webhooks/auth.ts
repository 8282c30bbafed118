import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { safeEqual } from '../auth/compare.js';

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/**
 * Spec §3.12: `X-Webhook-Secret` equal to the slot's secret, or `X-Webhook-Signature:
 * sha256=<hex HMAC-SHA256(secret, raw body)>`. Both comparisons are constant-time (hashed first,
 * so not even the length leaks), and both are always made, so the time does not say which header
 * was close. Runs on the raw bytes, before the body is parsed.
 */
export function verifyWebhook(headers: IncomingHttpHeaders, rawBody: Buffer, secret: string): boolean {
  const given = header(headers, 'x-webhook-secret');
  const signature = header(headers, 'x-webhook-signature');
  const expected = `sha256=${crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest('hex')}`;
  // An empty secret header never matches (PocketPaw: `if secret_header and ...`), nor does an empty stored secret.
  const bySecret = safeEqual(given, secret) && given !== '' && secret !== '';
  // PocketPaw compares the hex after `sha256=` as given: upper-case hex is refused there too.
  const bySignature = safeEqual(signature, expected) && secret !== '';
  return bySecret || bySignature;
}
