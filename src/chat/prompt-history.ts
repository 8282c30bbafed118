import type { ModelMessage } from 'ai';
import type { MessageRecord } from '../sessions/types.js';

export interface HistoryBudget {
  recentWindow: number;
  charBudget: number;
  summaryChars: number;
}

/** How many stored messages a turn needs at most: older ones would fall outside the budget. */
export function historyFetchLimit(b: HistoryBudget): number {
  return b.recentWindow + Math.ceil(b.charBudget / 20);
}

const HEADER = '[Earlier conversation]\n';

/**
 * The stored messages a turn's prompt is built from (`read(n)`: the last n, oldest first), read
 * in growing steps instead of `historyFetchLimit` at once (410 rows by default, every turn, most
 * of them then dropped): a step is enough once older messages could not change what
 * `buildPromptHistory` makes of it, i.e. it holds the whole recent window and the summaries of
 * the older ones it holds already overflow the budget. The prompt is the same as from all
 * `historyFetchLimit` messages. `exclude` trailing messages are not part of the prompt (the
 * answer being continued).
 */
export function readPromptHistory(read: (limit: number) => MessageRecord[], b: HistoryBudget, exclude = 0): MessageRecord[] {
  const max = historyFetchLimit(b);
  let n = Math.min(max, 2 * b.recentWindow + exclude);
  for (;;) {
    const got = read(n);
    if (got.length < n || n >= max || overflows(got.slice(0, got.length - exclude), b)) return got;
    n = Math.min(max, n * 4);
  }
}

/** Whether `messages` (a suffix of the history) decide the prompt whatever came before them. */
function overflows(messages: MessageRecord[], b: HistoryBudget): boolean {
  const usable = messages.filter(isUsable);
  if (usable.length <= b.recentWindow) return false; // the recent window may reach further back
  // The summary is HEADER + lines joined by newlines, dropped oldest line first while over budget.
  let size = HEADER.length - 1 + usable.slice(-b.recentWindow).reduce((n, m) => n + m.content.length, 0);
  if (size + 1 >= b.charBudget) return true; // no summary line fits at all
  for (let i = usable.length - b.recentWindow - 1; i >= 0; i--) {
    size += summaryLine(usable[i]!, b).length + 1;
    if (size > b.charBudget) return true;
  }
  return false;
}

/**
 * A failed turn's answer (`metadata.error`, spec §4.7) is never sent back to the model: it is
 * shown to the user, with "Try again", but a half answer and an error would only mislead it.
 */
function isFailedAnswer(m: MessageRecord): boolean {
  return m.role === 'assistant' && typeof m.metadata.error === 'string';
}

function isUsable(m: MessageRecord): boolean {
  return (m.role === 'user' || m.role === 'assistant') && !isFailedAnswer(m) && m.content.trim() !== '';
}

function summaryLine(m: MessageRecord, b: HistoryBudget): string {
  return `${m.role === 'user' ? 'User' : 'Assistant'}: ${cutAtWord(m.content, b.summaryChars)}`;
}

function cutAtWord(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}...`;
}

/**
 * Spec §7.5: the most recent messages verbatim, older ones collapsed into one leading
 * `[Earlier conversation]` message of one-line summaries, then the oldest dropped until the
 * whole fits the character budget. `messages` are oldest first.
 */
export function buildPromptHistory(messages: MessageRecord[], b: HistoryBudget): ModelMessage[] {
  const usable = messages.filter(isUsable);
  const recent = usable.slice(-b.recentWindow);
  const older = usable.slice(0, usable.length - recent.length);
  let lines = older.map((m) => summaryLine(m, b));
  let turns: ModelMessage[] = recent.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));

  // The summary message is HEADER + lines joined by newlines: all of it counts toward the budget.
  const summarySize = () => (lines.length ? HEADER.length + lines.reduce((n, l) => n + l.length, 0) + lines.length - 1 : 0);
  const size = () => summarySize() + turns.reduce((n, t) => n + String(t.content).length, 0);
  while (size() > b.charBudget && lines.length > 0) lines = lines.slice(1);
  // Never drop the newest message (the one being answered), even if it alone is over budget.
  while (size() > b.charBudget && turns.length > 1) turns = turns.slice(1);

  const out: ModelMessage[] = [];
  if (lines.length) out.push({ role: 'user', content: `${HEADER}${lines.join('\n')}` });
  // Providers want alternating turns starting with the user; a leading assistant turn is dropped.
  while (turns.length && turns[0]!.role === 'assistant' && out.length === 0) turns = turns.slice(1);
  return [...out, ...turns];
}
