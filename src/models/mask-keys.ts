/**
 * Key-shaped tokens out of a provider's own words (a refusal may repeat the key it got). The
 * transports redact outbound text too (src/security/redact.ts); this keeps the models layer from
 * depending on them, and covers the exact key sent even when it has no known shape.
 */
const KEY_SHAPED = /\b(?:sk|pk|rk|gsk|xai|pplx|hf|ghp|pp)[-_][A-Za-z0-9_*.-]{5,}[A-Za-z0-9_*-]|\bAIza[A-Za-z0-9_-]{10,}|\bBearer\s+\S+/g;

export const MASKED = '[REDACTED]';

export function maskKeys(text: string, key = ''): string {
  let out = text;
  if (key.length >= 4) out = out.split(key).join(MASKED);
  return out.replace(KEY_SHAPED, MASKED);
}
