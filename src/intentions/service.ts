import crypto from 'node:crypto';
import path from 'node:path';
import { InvalidInputError } from '../lib/errors.js';
import { formatUtc, normalizeTimestamp, nowIso } from '../lib/time.js';
import { DueTimer } from '../lib/due-timer.js';
import { JsonListFile } from '../store/json-list.js';
import { nextRun, parseCron } from './cron.js';

/** Spec §3.14. Only `cron` triggers fire; others are kept as given. */
export interface Intention {
  id: string;
  name: string;
  prompt: string;
  trigger: Record<string, unknown>;
  context_sources: string[];
  enabled: boolean;
  created_at: string;
  last_run: string | null;
  next_run: string | null;
}

export interface IntentionInput {
  name: string;
  prompt: string;
  trigger: Record<string, unknown>;
  context_sources: string[];
  enabled: boolean;
}

export const UPDATABLE = ['name', 'prompt', 'trigger', 'context_sources', 'enabled'] as const;
export type IntentionUpdate = Partial<IntentionInput>;

export const DEFAULT_TRIGGER = { type: 'cron', schedule: '0 9 * * *' };

/** Thrown for input the store refuses (an unreadable cron schedule). */
/** A trigger or schedule the service cannot use. */
export class IntentionInputError extends InvalidInputError {}


function cronSchedule(trigger: Record<string, unknown>): string | null {
  return trigger.type === 'cron' && typeof trigger.schedule === 'string' ? trigger.schedule : null;
}

/** Checks a cron trigger's schedule; other trigger types are stored as they are. */
function validateTrigger(trigger: Record<string, unknown>): void {
  if (trigger.type !== 'cron') return;
  if (typeof trigger.schedule !== 'string') throw new IntentionInputError('A cron trigger needs a "schedule" string');
  try {
    parseCron(trigger.schedule);
  } catch (err) {
    throw new IntentionInputError((err as Error).message);
  }
}

function computeNextRun(i: Intention, after = new Date()): string | null {
  const schedule = cronSchedule(i.trigger);
  if (!i.enabled || !schedule) return null;
  try {
    const next = nextRun(parseCron(schedule), after);
    return next ? formatUtc(next.getTime(), 0) : null;
  } catch {
    return null;
  }
}

function dueMs(i: Intention): number {
  const iso = i.next_run ? normalizeTimestamp(i.next_run) : null;
  return iso ? Date.parse(iso) : Number.NaN;
}

/**
 * Intentions in `<data dir>/intentions.json`, and the timer that runs enabled cron intentions
 * when their `next_run` comes. `runner` does the run (an agent turn).
 */
export class IntentionService {
  private readonly file: JsonListFile<Intention>;
  private readonly timer = new DueTimer(() => this.runDue());
  private closed = false;

  constructor(home: string, private readonly runner: (i: Intention) => Promise<void>) {
    this.file = new JsonListFile(path.join(home, 'intentions.json'), 'intentions');
  }

  list(): Intention[] {
    return this.file.read();
  }

  get(id: string): Intention | undefined {
    return this.list().find((i) => i.id === id);
  }

  create(input: IntentionInput): Intention {
    validateTrigger(input.trigger);
    const intention: Intention = {
      id: crypto.randomUUID(), name: input.name, prompt: input.prompt, trigger: input.trigger,
      context_sources: input.context_sources, enabled: input.enabled, created_at: nowIso(), last_run: null, next_run: null,
    };
    intention.next_run = computeNextRun(intention);
    this.file.update((items) => items.push(intention));
    this.schedule();
    return intention;
  }

  /** Null when there is no such intention. `id` and `created_at` never change. */
  update(id: string, updates: IntentionUpdate): Intention | null {
    if (updates.trigger) validateTrigger(updates.trigger);
    const updated = this.file.update((items) => {
      const current = items.find((i) => i.id === id);
      if (!current) return null;
      for (const key of UPDATABLE) {
        if (updates[key] !== undefined && updates[key] !== null) (current as unknown as Record<string, unknown>)[key] = updates[key];
      }
      current.next_run = computeNextRun(current);
      return current;
    });
    if (updated) this.schedule();
    return updated;
  }

  toggle(id: string): Intention | null {
    const current = this.get(id);
    return current ? this.update(id, { enabled: !current.enabled }) : null;
  }

  delete(id: string): boolean {
    const removed = this.file.update((items) => {
      const i = items.findIndex((x) => x.id === id);
      if (i >= 0) items.splice(i, 1);
      return i >= 0;
    });
    if (removed) this.schedule();
    return removed;
  }

  /** Starts a run in the background; null when there is no such intention. */
  run(id: string): Intention | null {
    const intention = this.get(id);
    if (!intention) return null;
    this.file.update((items) => {
      const current = items.find((i) => i.id === id);
      if (current) current.last_run = nowIso();
    });
    void this.runner(intention).catch(() => undefined);
    return intention;
  }

  /**
   * At start-up: runs missed while the server was down are skipped (the next one is computed),
   * as a scheduler with no misfire grace does; then the timer is armed.
   */
  start(): void {
    const now = Date.now();
    try {
      const stale = this.list().some((i) => i.enabled && cronSchedule(i.trigger) && !(dueMs(i) > now));
      if (stale) {
        this.file.update((items) => {
          for (const i of items) if (i.enabled && cronSchedule(i.trigger) && !(dueMs(i) > now)) i.next_run = computeNextRun(i);
        });
      }
    } catch {
      return; // an unreadable file is reported when listed
    }
    this.schedule();
  }

  schedule(): void {
    if (this.closed) return;
    this.timer.cancel();
    let soonest = Number.POSITIVE_INFINITY;
    try {
      for (const i of this.list()) {
        const ms = dueMs(i);
        if (i.enabled && cronSchedule(i.trigger) && Number.isFinite(ms)) soonest = Math.min(soonest, ms);
      }
    } catch {
      return;
    }
    this.timer.arm(soonest);
  }

  private runDue(): void {
    if (this.closed) return;
    const now = new Date();
    const due: Intention[] = [];
    try {
      this.file.update((items) => {
        for (const i of items) {
          if (!i.enabled || !cronSchedule(i.trigger) || !(dueMs(i) <= now.getTime())) continue;
          i.last_run = nowIso();
          i.next_run = computeNextRun(i, now);
          due.push({ ...i });
        }
      });
    } catch {
      return;
    }
    for (const i of due) void this.runner(i).catch(() => undefined);
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.timer.cancel();
  }
}
