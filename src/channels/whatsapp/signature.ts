import crypto from 'node:crypto';

/**
 * Equal strings, in time that does not depend on where they differ: both sides are hashed
 * first, so lengths never leak either and `timingSafeEqual` always compares 32 bytes.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a, 'utf8').digest();
  const hb = crypto.createHash('sha256').update(b, 'utf8').digest();
  return crypto.timingSafeEqual(ha, hb);
}

/**
 * Meta signs each webhook call: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw
 * body)>`. No secret or no header is a failure, so an unconfigured server fails closed. The
 * `sha256=` prefix is optional and the hex case-insensitive, as PocketPaw accepts them.
 */
export function validSignature(appSecret: string, body: Buffer, header: string | string[] | undefined): boolean {
  if (!appSecret || typeof header !== 'string' || !header.trim()) return false;
  let provided = header.trim();
  if (provided.slice(0, 7).toLowerCase() === 'sha256=') provided = provided.slice(7).trim();
  const expected = crypto.createHmac('sha256', appSecret).update(body).digest('hex');
  return constantTimeEqual(provided.toLowerCase(), expected);
}
