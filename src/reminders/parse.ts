import { createRequire } from 'node:module';
import type { ParsedResult, ParsingOption } from 'chrono-node';

/**
 * Reminder phrases (spec §3.14), read by chrono-node (docs/libraries.md): PocketPaw's "in 5
 * minutes", "at 3pm", "at 15:30 tomorrow", "tomorrow", "2026-03-01 14:00", and everything else
 * chrono reads — "next friday", "tonight at 7", "march 20 at 2pm", "in 2 weeks", and the same in
 * German, French, Spanish, Dutch, Portuguese, Italian, Swedish, Finnish, Russian, Ukrainian,
 * Japanese, Chinese, Indonesian, Vietnamese. Times are this machine's local time.
 * PocketPaw's rules on top of chrono: a day without a time is 09:00, a clock time already past
 * is tomorrow, and a time that is not in the future is no time at all.
 */
export interface ParsedReminder {
  triggerAt: Date;
  text: string;
}

export const PARSE_ERROR = "Could not parse time from message. Try 'in 5 minutes' or 'at 3pm'";

interface Locale {
  casual: { parse(text: string, ref: Date, option?: ParsingOption): ParsedResult[] };
}

const LOCALES = ['en', 'de', 'fr', 'es', 'nl', 'pt', 'it', 'sv', 'fi', 'ru', 'uk', 'ja', 'zh', 'id', 'vi'] as const;

// Loaded on first use, one locale at a time (chrono's CommonJS build, so synchronously):
// parseReminder is synchronous, and importing all of chrono at start-up costs ~270 ms. English
// (~50 ms) loads with the first reminder; the others only for a message English cannot read.
const require = createRequire(import.meta.url);
const loaded = new Map<string, Locale>();
function locale(name: string): Locale {
  let l = loaded.get(name);
  if (!l) loaded.set(name, (l = require(`chrono-node/${name}`) as Locale));
  return l;
}

const covered = (results: ParsedResult[]) => results.reduce((n, r) => n + r.text.length, 0);

function findTime(message: string, now: Date): ParsedResult[] {
  // chrono knows "sec" but not "secs"; same length, so its indexes still point into `message`.
  const text = message.replace(/\bsecs\b/gi, 'sec ');
  let best = locale('en').casual.parse(text, now, { forwardDate: true });
  // PocketPaw's phrases are English and settle it here. A short English match ("9h", which it
  // reads as "in 9 hours" inside "demain à 9h") or none lets the other languages try; the one
  // covering most of the message wins. Their match must hold a word of the language and a clock
  // time or a span ("morgen um 9 Uhr", "dans 5 minutes"): their short words collide with English
  // ones ("do", "so", "ma" are weekdays in Dutch, German, Swedish), and bare digits ("3:2", the
  // "5:00" Vietnamese reads inside "25:00") are English's call.
  if (covered(best) >= 4) return best;
  for (const name of LOCALES) {
    if (name === 'en') continue;
    const results = locale(name).casual.parse(text, now, { forwardDate: true })
      .filter((r) => /\p{L}/u.test(r.text) && r.start.isCertain('hour'));
    if (covered(results) > covered(best)) best = results;
  }
  return best;
}

function triggerOf(r: ParsedResult): Date {
  const at = r.start.date();
  // "in 2 days" keeps the clock time; "tomorrow", "next friday", "2026-04-01" mean 09:00.
  if (!r.start.isCertain('hour') && !r.tags().has('result/relativeDate')) at.setHours(9, 0, 0, 0);
  return at;
}

/** Message minus "remind me", the time phrases, a leading "to" and a dangling "on"/"at"; sentence case. */
function reminderText(message: string, found: ParsedResult[]): string {
  let t = message;
  for (const r of [...found].sort((a, b) => b.index - a.index)) {
    // The rest of a word chrono stopped inside goes too ("in 30 secs" is read as "in 30 sec").
    t = `${t.slice(0, r.index)} ${t.slice(r.index + r.text.length).replace(/^\w+/, '')}`;
  }
  t = t.replace(/^\s*remind\s+me\b/i, ' ').replace(/\s+/g, ' ').trim().replace(/^to\b\s*/i, '');
  t = t.replace(/(?:\s+(?:on|at))+\s*$/i, '').replace(/[\s,.;:!-]+$/, '').trim();
  if (!t) return message.trim();
  const lower = t.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

export function parseReminder(message: string, now = new Date()): ParsedReminder | null {
  const found = findTime(message, now);
  if (!found.length) return null;
  const triggerAt = triggerOf(found[0]!);
  // "in 0 minutes", "now", a date already past: PocketPaw reads no time in them.
  if (triggerAt.getTime() <= now.getTime()) return null;
  return { triggerAt, text: reminderText(message, found) };
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
