/**
 * PocketPaw's reminder phrases (spec §3.14): "in 5 minutes", "at 3pm", "at 15:30 tomorrow",
 * "tomorrow", or an explicit date such as "2026-03-01 14:00". Times are this machine's local time.
 */
export interface ParsedReminder {
  triggerAt: Date;
  text: string;
}

export const PARSE_ERROR = "Could not parse time from message. Try 'in 5 minutes' or 'at 3pm'";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RELATIVE = /\bin\s+(\d{1,6})\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\b/i;
const AT_TIME = /\bat\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\w:])/i;
const TOMORROW = /\btomorrow\b/i;
const DATE_TIME = /\b(?:on\s+)?(\d{4})-(\d{2})-(\d{2})(?:(?:\s+|T)(?:at\s+)?(\d{1,2}):(\d{2}))?\b/i;

function unitOf(word: string): number {
  const w = word.toLowerCase();
  if (w.startsWith('s')) return UNIT_MS.s!;
  if (w.startsWith('m')) return UNIT_MS.m!;
  if (w.startsWith('h')) return UNIT_MS.h!;
  return UNIT_MS.d!;
}

function atClock(base: Date, hour: number, minute: number, dayOffset: number): Date {
  const d = new Date(base.getFullYear(), base.getMonth(), base.getDate() + dayOffset, hour, minute, 0, 0);
  return d;
}

function findTime(message: string, now: Date): { at: Date; phrase: RegExp } | null {
  const rel = RELATIVE.exec(message);
  if (rel) {
    const n = Number(rel[1]);
    if (n > 0) return { at: new Date(now.getTime() + n * unitOf(rel[2]!)), phrase: RELATIVE };
  }
  const at = AT_TIME.exec(message);
  if (at) {
    let hour = Number(at[1]);
    const minute = at[2] ? Number(at[2]) : 0;
    const meridiem = at[3]?.toLowerCase().replace(/\./g, '');
    const valid = minute <= 59 && (meridiem ? hour >= 1 && hour <= 12 : hour <= 23);
    if (valid) {
      if (meridiem === 'pm' && hour < 12) hour += 12;
      if (meridiem === 'am' && hour === 12) hour = 0;
      let when = atClock(now, hour, minute, TOMORROW.test(message) ? 1 : 0);
      if (when.getTime() <= now.getTime()) when = atClock(now, hour, minute, 1);
      return { at: when, phrase: AT_TIME };
    }
  }
  const date = DATE_TIME.exec(message);
  if (date) {
    const [, y, mo, d, h, mi] = date;
    const when = new Date(Number(y), Number(mo) - 1, Number(d), h ? Number(h) : 9, mi ? Number(mi) : 0, 0, 0);
    const exact = when.getFullYear() === Number(y) && when.getMonth() === Number(mo) - 1 && when.getDate() === Number(d);
    if (exact && (!h || (Number(h) <= 23 && Number(mi) <= 59)) && when.getTime() > now.getTime()) return { at: when, phrase: DATE_TIME };
    return null;
  }
  if (TOMORROW.test(message)) return { at: atClock(now, 9, 0, 1), phrase: TOMORROW };
  return null;
}

/** Message minus "remind me", the time phrase, "tomorrow" and a leading "to"; sentence case. */
function reminderText(message: string, phrase: RegExp): string {
  let t = message.replace(/^\s*remind\s+me\b/i, ' ');
  t = t.replace(phrase, ' ').replace(new RegExp(TOMORROW.source, 'gi'), ' ');
  t = t.replace(/\s+/g, ' ').trim().replace(/^to\b\s*/i, '').replace(/[\s,.;:!-]+$/, '').trim();
  if (!t) return message.trim();
  const lower = t.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

export function parseReminder(message: string, now = new Date()): ParsedReminder | null {
  const found = findTime(message, now);
  if (!found) return null;
  return { triggerAt: found.at, text: reminderText(message, found.phrase) };
}

/** `past`, `in 42s`, `in 5m`, `in 2h`, `in 2h 5m`, `in 3d` (spec §3.14). */
export function timeRemaining(triggerAt: Date, now = new Date()): string {
  const seconds = Math.floor((triggerAt.getTime() - now.getTime()) / 1000);
  if (seconds <= 0) return 'past';
  if (seconds < 60) return `in ${seconds}s`;
  if (seconds < 3600) return `in ${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return m ? `in ${h}h ${m}m` : `in ${h}h`;
  }
  return `in ${Math.floor(seconds / 86400)}d`;
}
