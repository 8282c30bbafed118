/**
 * Five-field cron (minute hour day-of-month month day-of-week) and PocketPaw's named presets
 * (spec §3.14), evaluated in this machine's local time.
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

export interface CronSpec {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Both day fields restricted: a day matches if either does (classic cron). */
  dayOr: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function value(token: string, names: string[] | null, offset: number, field: string): number {
  const named = names?.indexOf(token.toLowerCase()) ?? -1;
  if (named >= 0) return named + offset;
  if (!/^\d+$/.test(token)) throw new Error(`"${token}" is not a number in the ${field} field`);
  return Number(token);
}

function parseField(text: string, min: number, max: number, field: string, names: string[] | null = null, nameOffset = 0): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step "${stepText}" in the ${field} field`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      lo = value(a!, names, nameOffset, field);
      hi = value(b!, names, nameOffset, field);
    } else {
      lo = value(range!, names, nameOffset, field);
      hi = stepText === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`${part} is out of range ${min}-${max} in the ${field} field`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** A preset name or a five-field expression; throws with a readable message. */
export function parseCron(schedule: string): CronSpec {
  const expr = CRON_PRESETS[schedule.trim()] ?? schedule.trim();
  const fields = expr.split(/\s+/);
  if (fields.length !== 5) throw new Error(`Invalid cron schedule "${schedule}": expected 5 fields or a preset (${Object.keys(CRON_PRESETS).join(', ')})`);
  try {
    const weekdays = parseField(fields[4]!, 0, 7, 'day-of-week', WEEKDAYS);
    if (weekdays.has(7)) {
      weekdays.delete(7);
      weekdays.add(0);
    }
    return {
      minutes: parseField(fields[0]!, 0, 59, 'minute'),
      hours: parseField(fields[1]!, 0, 23, 'hour'),
      days: parseField(fields[2]!, 1, 31, 'day-of-month'),
      months: parseField(fields[3]!, 1, 12, 'month', MONTHS, 1),
      weekdays,
      dayOr: fields[2] !== '*' && fields[4] !== '*',
    };
  } catch (err) {
    throw new Error(`Invalid cron schedule "${schedule}": ${(err as Error).message}`);
  }
}

function dayMatches(spec: CronSpec, d: Date): boolean {
  const dom = spec.days.has(d.getDate());
  const dow = spec.weekdays.has(d.getDay());
  return spec.dayOr ? dom || dow : dom && dow;
}

/** The first minute strictly after `after` that matches, or null within the next five years. */
export function nextRun(spec: CronSpec, after: Date): Date | null {
  const d = new Date(after.getTime());
  d.setSeconds(0, 0);
  d.setMinutes(d.getMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (d.getTime() <= limit) {
    if (!spec.months.has(d.getMonth() + 1)) {
      d.setMonth(d.getMonth() + 1, 1);
      d.setHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(spec, d)) {
      d.setDate(d.getDate() + 1);
      d.setHours(0, 0, 0, 0);
      continue;
    }
    if (!spec.hours.has(d.getHours())) {
      d.setHours(d.getHours() + 1, 0, 0, 0);
      continue;
    }
    if (!spec.minutes.has(d.getMinutes())) {
      d.setMinutes(d.getMinutes() + 1, 0, 0);
      continue;
    }
    return d;
  }
  return null;
}
