import crypto from 'node:crypto';
import path from 'node:path';
import { normalizeTimestamp, nowIso, formatUtc } from '../lib/time.js';
import { DueTimer } from '../lib/due-timer.js';
import { JsonListFile } from '../store/json-list.js';
import { parseReminder, timeRemaining } from './parse.js';

/** As stored in `reminders.json` (spec §3.14): the API shape plus the original message. */
export interface StoredReminder {
  id: string;
  text: string;
  trigger_at: string;
  created_at: string;
  original?: string;
  /** Ours: the chat it was set in (`telegram:<chat id>`), so it fires there; absent for the dashboard. */
  session_key?: string;
}

export interface Reminder {
  id: string;
  text: string;
  trigger_at: string;
  created_at: string;
  time_remaining: string;
}

/** setTimeout's limit; a later reminder is re-armed when this fires. */

/** When it fires; a time that cannot be read counts as due now, so it is shown and removed, never stuck. */
function triggerMs(r: StoredReminder): number {
  const iso = normalizeTimestamp(r.trigger_at);
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? ms : 0;
}

export function toApi(r: StoredReminder, now = new Date()): Reminder {
  return {
    id: r.id, text: r.text, trigger_at: r.trigger_at, created_at: r.created_at,
    time_remaining: timeRemaining(new Date(triggerMs(r)), now),
  };
}

/**
 * Reminders in `<data dir>/reminders.json`, fired when due: `deliver` is called with each due
 * reminder, which is then removed (spec §3.14).
 */
export class ReminderService {
  private readonly file: JsonListFile<StoredReminder>;
  private readonly timer = new DueTimer(() => this.fireDue());
  private closed = false;

  constructor(home: string, private readonly deliver: (r: Reminder, origin: string | undefined) => void) {
    this.file = new JsonListFile(path.join(home, 'reminders.json'), 'reminders');
  }

  /** Soonest first. */
  list(now = new Date()): Reminder[] {
    return this.file.read()
      .sort((a, b) => triggerMs(a) - triggerMs(b))
      .map((r) => toApi(r, now));
  }

  /** Null when no time could be read from the message. */
  add(message: string, now = new Date(), origin?: string): Reminder | null {
    const parsed = parseReminder(message, now);
    if (!parsed) return null;
    const stored: StoredReminder = {
      id: crypto.randomUUID(), text: parsed.text, trigger_at: formatUtc(parsed.triggerAt.getTime(), 0),
      created_at: nowIso(), original: message, ...(origin ? { session_key: origin } : {}),
    };
    this.file.update((items) => items.push(stored));
    this.schedule();
    return toApi(stored, now);
  }

  delete(id: string): boolean {
    const removed = this.file.update((items) => {
      const i = items.findIndex((r) => r.id === id);
      if (i >= 0) items.splice(i, 1);
      return i >= 0;
    });
    if (removed) this.schedule();
    return removed;
  }

  /** Arms the timer for the soonest reminder (fires overdue ones now). */
  schedule(): void {
    if (this.closed) return;
    this.timer.cancel();
    let soonest = Number.POSITIVE_INFINITY;
    try {
      for (const r of this.file.read()) soonest = Math.min(soonest, triggerMs(r));
    } catch {
      return; // an unreadable file is reported when listed; nothing can fire from it
    }
    this.timer.arm(soonest);
  }

  private fireDue(): void {
    if (this.closed) return;
    const now = Date.now();
    const due: StoredReminder[] = [];
    try {
      this.file.update((items) => {
        for (let i = 0; i < items.length; i++) {
          if (triggerMs(items[i]!) > now) continue;
          due.push(...items.splice(i--, 1));
        }
      });
    } catch {
      return;
    }
    // Removed from the file first, so a failing delivery never fires a reminder twice.
    for (const r of due) {
      try {
        this.deliver(toApi(r, new Date(now)), r.session_key);
      } catch {
        // a failing listener must not keep the other reminders from firing
      }
    }
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.timer.cancel();
  }
}
