/**
 * Outbound secret redaction (spec §6.1): text sent to clients (WS, SSE, REST)
 * is redacted, stored text is not. Patterns live in ./redact-patterns.ts.
 */
import {
  IS_URL_PASS_CHAR,
  OPEN_URL_RE,
  REDACTED,
  REPLACEMENT_TEMPLATE,
  SECRET_RE,
} from './redact-patterns.js';
import { isIn, openSecretStart } from './open-secret.js';
import type { SecretValues } from './secret-values.js';

export { REDACTED } from './redact-patterns.js';
export { SecretValues } from './secret-values.js';

/**
 * Replace every secret in `text` with `[REDACTED]` (for key=value forms only the value): the
 * exact values `secrets` knows first (master token, saved keys), then every pattern.
 * Linear in the length of the text (bench/patterns.ts).
 */
export function redact(text: string, secrets?: SecretValues | null): string {
  if (text.length === 0) return text;
  const values = secrets?.matcher();
  if (values) text = text.replace(values.re, REDACTED);
  return text.replace(SECRET_RE, REPLACEMENT_TEMPLATE);
}

/**
 * `redact()` for text that may have been cut short (titles, previews, search snippets are the
 * first N characters of a message): a secret cut in half at the end is not recognisable any
 * more, so a tail that may be the start of one — a prefix of a known value, a token prefix
 * (`sk-…`, `ghp_…`), an open `key=value` or URL password — is replaced by `[REDACTED]` too.
 * Only use it on text that was actually cut: an ordinary last word like "token" counts.
 */
export function redactTruncated(text: string, secrets?: SecretValues | null): string {
  if (text.length === 0) return text;
  let tail = '';
  const values = secrets?.matcher();
  if (values) {
    for (let p = Math.max(0, text.length - values.maxLength + 1); p <= text.length - 4; p++) {
      if (values.firstChars.has(text[p]!) && values.prefixes.has(text.slice(p))) {
        text = text.slice(0, p);
        tail = REDACTED;
        break;
      }
    }
  }
  let out = redact(text, secrets);
  let cut = openSecretStart(out, 0);
  let u = out.length;
  while (u > 0 && isIn(IS_URL_PASS_CHAR, out.charCodeAt(u - 1))) u--;
  OPEN_URL_RE.lastIndex = Math.max(0, u - 3);
  const url = OPEN_URL_RE.exec(out);
  if (url !== null && (cut < 0 || url.index + 3 < cut)) cut = url.index + 3;
  if (cut >= 0 && !out.endsWith(REDACTED)) {
    out = out.slice(0, cut);
    tail = REDACTED;
  }
  return out + (out.endsWith(REDACTED) ? '' : tail);
}

/**
 * Every string inside a JSON-like value redacted (objects and arrays copied, other values as
 * they are). For frames and records that go to clients whole (audit entries, live frames).
 */
export function redactDeep<T>(value: T, secrets?: SecretValues | null, depth = 0): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1)) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, secrets, depth + 1);
  return out as T;
}
