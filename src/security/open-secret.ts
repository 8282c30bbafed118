/** Scanning helpers for text that may end in the middle of a secret (cut previews, streams). */
import {
  IS_VALUE_CHAR,
  KEYWORD_RE,
  OPEN_KV_LOOKBACK,
  OPEN_KV_TAIL_RE,
  TOKEN_PREFIX_RE,
} from './redact-patterns.js';

/**
 * Start of a key=value / Bearer context that may still be in progress at the end of `s`
 * (searched from `base`; `v` is where the trailing run of value characters starts), or -1.
 * Linear: a bounded look before `v`, then one keyword search from `v` (every keyword inside
 * the trailing run is followed only by value characters, so it is open).
 */
export function openKvStart(s: string, base: number, v: number): number {
  if (v > base) {
    OPEN_KV_TAIL_RE.lastIndex = Math.max(base, v - OPEN_KV_LOOKBACK);
    const m = OPEN_KV_TAIL_RE.exec(s.slice(0, v));
    if (m !== null) return m.index;
  }
  KEYWORD_RE.lastIndex = v;
  const k = KEYWORD_RE.exec(s);
  return k === null ? -1 : k.index;
}

/**
 * When a held-back run outgrows the limit: the start of something that looks like a secret
 * whose run reaches the end of `s` (a token prefix inside the trailing value run, or an open
 * key=value context), or -1.
 */
export function openSecretStart(s: string, base: number): number {
  let v = s.length;
  while (v > base && isIn(IS_VALUE_CHAR, s.charCodeAt(v - 1))) v--;
  const kv = openKvStart(s, base, v);
  TOKEN_PREFIX_RE.lastIndex = v;
  const t = TOKEN_PREFIX_RE.exec(s);
  const tok = t === null ? -1 : t.index;
  if (kv < 0) return tok;
  return tok < 0 ? kv : Math.min(kv, tok);
}

/** The same string, flattened by V8 (ToNumber flattens a rope in place), so indexing it is O(1). */
export function flat(s: string): string {
  void Number(s);
  return s;
}

export function isIn(table: Uint8Array, code: number): boolean {
  return code < 128 && table[code] === 1;
}
