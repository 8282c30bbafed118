import { Cron } from 'croner';

/**
 * Five-field cron (minute hour day-of-month month day-of-week) and PocketPaw's named presets
 * (spec §3.14), evaluated in this machine's local time. Parsing and the next-run search are
 * croner's (docs/libraries.md): it handles DST gaps and repeated hours, which a minute walker
 * over local `Date`s gets wrong, and it validates fields with readable messages.
 */
export const CRON_PRESETS: Record<string, string> = {
  every_minute: '* * * * *',
  every_5_minutes: '*/5 * * * *',
  every_15_minutes: '*/15 * * * *',
  every_30_minutes: '*/30 * * * *',
  every_hour: '0 * * * *',
  every_morning_8am: '0 8 * * *',
  every_morning_9am: '0 9 * * *',
  weekday_morning_8am: '0 8 * * 1-5',
  weekday_morning_9am: '0 9 * * 1-5',
  every_evening_6pm: '0 18 * * *',
  every_night_10pm: '0 22 * * *',
  daily_noon: '0 12 * * *',
  weekly_monday_9am: '0 9 * * 1',
  monthly_first_9am: '0 9 1 * *',
};

/** A parsed schedule; only `nextRun` looks inside. */
export type CronSpec = Cron;

/** A preset name or a five-field expression; throws with a readable message. */
export function parseCron(schedule: string): CronSpec {
  const expr = CRON_PRESETS[schedule.trim()] ?? schedule.trim();
  // Checked here, not by croner, so the message lists the presets (PocketPaw takes five fields only).
  if (expr.split(/\s+/).length !== 5) {
    throw new Error(`Invalid cron schedule "${schedule}": expected 5 fields or a preset (${Object.keys(CRON_PRESETS).join(', ')})`);
  }
  try {
    // No callback: croner schedules nothing, it only evaluates. Day-of-month and day-of-week
    // are OR-ed when both are restricted (classic cron, croner's default); `sloppyRanges` keeps
    // accepting "5/10" (5 to the end, step 10) as the earlier parser and APScheduler do.
    return new Cron(expr, { mode: '5-part', sloppyRanges: true });
  } catch (err) {
    throw new Error(`Invalid cron schedule "${schedule}": ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
}

/** The first minute strictly after `after` that matches, or null when none ever does (e.g. 30 February). */
export function nextRun(spec: CronSpec, after: Date): Date | null {
  return spec.nextRun(after) ?? null;
}
