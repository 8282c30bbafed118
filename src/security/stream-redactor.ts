/** Redaction of streamed text (spec §6.1): what is safe to send now, holding back a possible secret's start. */
import {
  ALL_TOKEN_CHARS_RE,
  CONTEXT_CHARS,
  IS_TOKEN_CHAR,
  IS_URL_PASS_CHAR,
  IS_VALUE_CHAR,
  OPEN_PEM_HEADER_RE,
  OPEN_URL_RE,
  PEM_FOOTER_KEEP,
  PEM_FOOTER_RE,
  PEM_HEADER_MAX,
  REDACTED,
  SECRET_RE,
  replacementFor,
} from './redact-patterns.js';
import { flat, isIn, openKvStart, openSecretStart } from './open-secret.js';
import { redact } from './redact.js';
import type { SecretValues } from './secret-values.js';

export interface StreamRedactor {
  /** Feed the next delta; returns the redacted text that is safe to emit now (possibly ''). */
  push(delta: string): string;
  /** End of stream: returns everything still held back, redacted. The redactor is reset afterwards. */
  flush(): string;
}

/** A held-back tail longer than this is emitted anyway so a long run cannot stall the stream. */
const MAX_HOLD = 4096;
/** When forced to emit, this much of the tail is still kept back. */
const FORCED_KEEP = 1024;
/**
 * Once this much is held back, the next drain waits until the held text has doubled (or passed
 * MAX_HOLD): re-scanning a long held-back tail on every small delta would be quadratic.
 * Emitting later never changes the output (any split gives the same text).
 */
const RESCAN_FROM = 256;

/**
 * Redactor for streamed text. `push()` outputs concatenated with `flush()`
 * equal `redact(fullText)` for any split of the input, as long as no single
 * held-back run grows past MAX_HOLD (4 KB) characters.
 *
 * What is held back: the trailing run of token characters, a key=value value
 * or URL password that may still be growing, a partial PEM private-key header.
 * Once a complete PEM header is seen, `[REDACTED]` is emitted right away and
 * everything up to the END line (or end of stream) is swallowed. Text without
 * token characters (CJK, emoji, most punctuation, whitespace) flows through.
 */
export function createStreamRedactor(secrets?: SecretValues | null): StreamRedactor {
  const patterns = createPatternStreamRedactor();
  if (!secrets) return patterns;
  // Two layers: exact values first (as in redact()), then patterns on what that layer emits.
  const values = createValueStreamRedactor(secrets);
  return {
    push(delta) {
      const safe = values.push(delta);
      return safe ? patterns.push(safe) : '';
    },
    flush() {
      const rest = values.flush();
      return (rest ? patterns.push(rest) : '') + patterns.flush();
    },
  };
}

/**
 * Exact-value layer of the stream redactor: its outputs concatenated equal
 * `text.replace(values, REDACTED)` for any split. Holds back only a tail that is a proper
 * prefix of some value (at most the longest value's length).
 */
function createValueStreamRedactor(secrets: SecretValues): StreamRedactor {
  let pending = '';
  /** Fetched once: a stream is one reply, and reading the sources on every delta would cost more than the scan. */
  const matcher = secrets.matcher();

  /** Earliest index >= from where the rest of `s` is a proper prefix of a value (s.length if none). */
  function holdFrom(s: string, from: number, m: NonNullable<ReturnType<SecretValues['matcher']>>): number {
    for (let p = Math.max(from, s.length - m.maxLength + 1); p < s.length; p++) {
      if (m.firstChars.has(s[p]!) && m.prefixes.has(s.slice(p))) return p;
    }
    return s.length;
  }

  function drain(final: boolean): string {
    const s = flat(pending);
    const m = matcher;
    if (!m) {
      pending = '';
      return s;
    }
    let out = '';
    let pos = 0;
    let hold = final ? s.length : holdFrom(s, 0, m);
    m.re.lastIndex = 0;
    // A match that starts before the hold point is final: no longer value can match there.
    for (let hit = m.re.exec(s); hit !== null && hit.index < hold; hit = m.re.exec(s)) {
      out += s.slice(pos, hit.index) + REDACTED;
      pos = hit.index + hit[0].length;
      if (!final && pos > hold) hold = holdFrom(s, pos, m);
    }
    const cut = Math.max(pos, hold);
    out += s.slice(pos, cut);
    pending = s.slice(cut);
    return out;
  }

  return {
    push(delta) {
      if (delta.length === 0) return '';
      pending += delta;
      return drain(false);
    },
    flush() {
      return drain(true);
    },
  };
}

function createPatternStreamRedactor(): StreamRedactor {
  /** Up to CONTEXT_CHARS of already-emitted raw text, for lookbehinds. */
  let ctx = '';
  /** Raw text not yet emitted. */
  let pending = '';
  /** `pending` consists only of token chars (fast path for word-by-word deltas). */
  let pendingAllToken = true;
  /** Inside a PEM private-key block: raw text (with context) in which the footer is searched, from `pemFrom`. */
  let pemBuf: string | null = null;
  let pemFrom = 0;
  /** After a forced emission cut an over-long secret short: swallow the rest of its run. */
  let swallowRun = false;
  /** `pending` length from which the next drain runs (see RESCAN_FROM). */
  let nextDrainAt = 0;

  function reset(): void {
    nextDrainAt = 0;
    ctx = '';
    pending = '';
    pendingAllToken = true;
    pemBuf = null;
    pemFrom = 0;
    swallowRun = false;
  }

  function trimPem(): void {
    if (pemBuf !== null && pemBuf.length > 2 * PEM_FOOTER_KEEP) {
      const drop = pemBuf.length - PEM_FOOTER_KEEP;
      pemBuf = pemBuf.slice(drop);
      pemFrom = Math.max(0, pemFrom - drop);
    }
  }

  /** Earliest index of S (>= base) where a secret could still be in progress. */
  function holdStart(s: string, base: number): number {
    const n = s.length;
    let t = n;
    while (t > base && isIn(IS_TOKEN_CHAR, s.charCodeAt(t - 1))) t--;
    let hold = t;

    // key=value / Bearer: key name, separator and value may still be growing.
    let v = t;
    while (v > base && isIn(IS_VALUE_CHAR, s.charCodeAt(v - 1))) v--;
    const kv = openKvStart(s, base, v);
    if (kv >= 0 && kv < hold) hold = kv;
    let m: RegExpExecArray | null;

    // scheme://user:password@ — the userinfo may still be growing.
    let u = n;
    while (u > base && isIn(IS_URL_PASS_CHAR, s.charCodeAt(u - 1))) u--;
    OPEN_URL_RE.lastIndex = Math.max(base, u - 3);
    m = OPEN_URL_RE.exec(s);
    if (m !== null && m.index < hold) hold = m.index;

    OPEN_PEM_HEADER_RE.lastIndex = Math.max(base, n - PEM_HEADER_MAX);
    m = OPEN_PEM_HEADER_RE.exec(s);
    if (m !== null && m.index < hold) hold = m.index;

    return hold;
  }

  /** Emit what is safe from `pending` (everything when `final`). */
  function drain(final: boolean): string {
    let out = '';
    while (pending.length > 0) {
      // Flat: `pending` grows by `+=`, and char-by-char scans of a deep rope are slow.
      const s = flat(ctx + pending);
      const base = ctx.length;
      let cut = final ? s.length : holdStart(s, base);
      let forced = false;
      /** Forced emission at the start of a suspected (unfinished, over-long) secret. */
      let forcedSecret = false;
      if (!final && s.length - cut > MAX_HOLD) {
        forced = true;
        const suspect = openSecretStart(s, base);
        if (suspect >= 0 && suspect < s.length - FORCED_KEEP) {
          cut = suspect;
          forcedSecret = true;
        } else {
          cut = s.length - FORCED_KEEP;
        }
      }
      if (cut <= base && !forcedSecret) break;

      let pos = base;
      let more = final || forced;
      SECRET_RE.lastIndex = base;
      for (let m = SECRET_RE.exec(s); m !== null; m = SECRET_RE.exec(s)) {
        const start = m.index;
        const end = start + m[0].length;
        if (start >= cut) break;
        const header = m.groups?.pemHead;
        if (header !== undefined && m.groups?.pemEnd === undefined && !final) {
          // Open private-key block: its output is a single [REDACTED] however it ends.
          out += s.slice(pos, start) + REDACTED;
          pemBuf = s;
          pemFrom = start + header.length;
          trimPem();
          pending = '';
          pendingAllToken = true;
          return out;
        }
        if (end <= cut) {
          out += s.slice(pos, start) + replacementFor(m.groups);
          pos = end;
          continue;
        }
        // The match crosses the cut.
        if (header !== undefined || (forced && (start === base || forcedSecret))) {
          // A closed PEM block is final; an over-long secret is emitted redacted as is,
          // and if it may still be growing, the rest of its run is swallowed.
          out += s.slice(pos, start) + replacementFor(m.groups);
          pos = end;
          cut = end;
          more = true;
          if (header === undefined && end === s.length) swallowRun = true;
          forcedSecret = false;
        } else {
          cut = start;
          forcedSecret = false;
        }
        break;
      }
      out += s.slice(pos, cut);
      if (forcedSecret) {
        // An over-long run that looks like a secret: redact it whole, and the rest of the run as it arrives.
        out += REDACTED;
        swallowRun = true;
        cut = s.length;
      }
      ctx = s.slice(Math.max(0, cut - CONTEXT_CHARS), cut);
      pending = s.slice(cut);
      if (!more) break;
    }
    pendingAllToken = ALL_TOKEN_CHARS_RE.test(pending);
    return out;
  }

  function push(delta: string): string {
    if (delta.length === 0) return '';
    if (pemBuf !== null) {
      pemBuf += delta;
      PEM_FOOTER_RE.lastIndex = pemFrom;
      const m = PEM_FOOTER_RE.exec(pemBuf);
      if (m === null) {
        trimPem();
        return '';
      }
      const end = m.index + m[0].length;
      ctx = pemBuf.slice(Math.max(0, end - CONTEXT_CHARS), end);
      pending = pemBuf.slice(end);
      pemBuf = null;
      return drain(false);
    }
    if (swallowRun) {
      let i = 0;
      while (i < delta.length && isIn(IS_VALUE_CHAR, delta.charCodeAt(i))) i++;
      ctx = (ctx + delta.slice(0, i)).slice(-CONTEXT_CHARS);
      if (i === delta.length) return '';
      swallowRun = false;
      delta = delta.slice(i);
    }
    if (pendingAllToken && pending.length + delta.length <= MAX_HOLD && ALL_TOKEN_CHARS_RE.test(delta)) {
      // Still one open run of token chars: nothing can be emitted yet.
      pending += delta;
      return '';
    }
    pending += delta;
    if (pending.length < nextDrainAt) return '';
    const out = drain(false);
    nextDrainAt = pending.length >= RESCAN_FROM ? Math.min(2 * pending.length, MAX_HOLD + 1) : 0;
    return out;
  }

  function flush(): string {
    const out = pemBuf !== null ? '' : drain(true);
    reset();
    return out;
  }

  return { push, flush };
}
