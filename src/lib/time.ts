/**
 * Timestamps are stored and returned as UTC ISO-8601 with microseconds and an explicit offset
 * (`2026-02-12T20:19:57.423999+00:00`, spec §11.4). One fixed width keeps plain string
 * comparison chronological, which the session list relies on.
 */

export function nowIso(): string {
  return formatUtc(Date.now(), 0);
}

/** Milliseconds since the epoch plus extra microseconds (0–999) → canonical UTC string. */
export function formatUtc(ms: number, extraMicros: number): string {
  const base = new Date(ms).toISOString(); // 2026-02-12T20:19:57.423Z
  return `${base.slice(0, 23)}${String(extraMicros).padStart(3, '0')}+00:00`;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads PocketPaw's timestamps: offset-less values are local time of this machine (spec §11.4),
 * offset forms are honoured. Returns null for anything that is not an ISO date-time.
 */
export function normalizeTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = ISO_RE.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const fraction = frac.padEnd(6, '0').slice(0, 6);
  const millis = Number(fraction.slice(0, 3));
  const micros = Number(fraction.slice(3, 6));
  let ms: number;
  if (zone) {
    const offset = zone.toUpperCase() === 'Z' ? 0 : parseOffset(zone);
    ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, millis) - offset * 60_000;
  } else {
    ms = new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +s, millis).getTime();
  }
  if (!Number.isFinite(ms)) return null;
  return formatUtc(ms, micros);
}

function parseOffset(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
