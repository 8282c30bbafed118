/** Sidebar groups by last activity, in the reader's local calendar. */
export type Group = 'Today' | 'Yesterday' | 'Previous 7 days' | 'Older';

const DAY_MS = 24 * 3600 * 1000;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function groupOf(iso: string, now: Date = new Date()): Group {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'Older';
  const today = startOfDay(now);
  if (t >= today) return 'Today';
  if (t >= today - DAY_MS) return 'Yesterday';
  if (t >= today - 7 * DAY_MS) return 'Previous 7 days';
  return 'Older';
}

/** "14:05", "Yesterday", "Mon", "3 Mar 2025": short and locale-aware. */
export function shortTime(iso: string, now: Date = new Date()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const d = new Date(t);
  const g = groupOf(iso, now);
  if (g === 'Today') return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (g === 'Yesterday') return 'Yesterday';
  if (g === 'Previous 7 days') return d.toLocaleDateString(undefined, { weekday: 'short' });
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}
