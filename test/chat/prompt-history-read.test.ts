import { describe, expect, it } from 'vitest';
import { buildPromptHistory, historyFetchLimit, readPromptHistory, type HistoryBudget } from '../../src/chat/prompt-history.js';
import type { MessageRecord } from '../../src/sessions/types.js';

/** A small deterministic PRNG, so a failure names a reproducible case. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function history(rand: () => number, n: number): MessageRecord[] {
  const sizes = [0, 3, 20, 140, 400, 2500, 9000];
  return Array.from({ length: n }, (_, i) => {
    const role = rand() < 0.05 ? 'system' : i % 2 === 0 ? 'user' : 'assistant';
    const size = sizes[Math.floor(rand() * sizes.length)]!;
    const content = Array.from({ length: Math.ceil(size / 8) }, (_, w) => `w${i}.${w}${rand() < 0.1 ? '\n' : ' '}`).join('').slice(0, size);
    const failed = role === 'assistant' && rand() < 0.1;
    return { id: `m${i}`, role, content, timestamp: '2026-01-01T00:00:00Z', metadata: failed ? { error: 'boom' } : {} };
  });
}

describe('readPromptHistory: fewer rows read, the same prompt', () => {
  it('gives the prompt that all historyFetchLimit messages give, over many histories and budgets', () => {
    const rand = rng(14);
    const budgets: HistoryBudget[] = [
      { recentWindow: 10, charBudget: 8000, summaryChars: 150 },
      { recentWindow: 1, charBudget: 500, summaryChars: 10 },
      { recentWindow: 4, charBudget: 30_000, summaryChars: 40 },
      { recentWindow: 30, charBudget: 2000, summaryChars: 400 },
    ];
    for (let round = 0; round < 120; round++) {
      const b = budgets[round % budgets.length]!;
      const all = history(rand, Math.floor(rand() * 480));
      const exclude = rand() < 0.2 ? 1 : 0;
      const reads: number[] = [];
      const read = (n: number) => {
        reads.push(n);
        return n > 0 ? all.slice(-n) : [];
      };
      const got = readPromptHistory(read, b, exclude);
      const full = all.slice(-historyFetchLimit(b));
      const prompt = (h: MessageRecord[]) => buildPromptHistory(exclude ? h.slice(0, -1) : h, b);
      expect(prompt(got), `round ${round}`).toEqual(prompt(full));
      expect(got).toEqual(all.slice(-got.length)); // the newest messages, in order
      expect(Math.max(...reads)).toBeLessThanOrEqual(historyFetchLimit(b));
    }
  });

  it('long answers: the last few messages decide the prompt and are all that is read', () => {
    const b: HistoryBudget = { recentWindow: 10, charBudget: 8000, summaryChars: 150 };
    const all = history(rng(1), 0).concat(Array.from({ length: 400 }, (_, i) => ({
      id: `m${i}`, role: i % 2 ? 'assistant' : 'user', content: 'word '.repeat(i % 2 ? 900 : 4), timestamp: '', metadata: {},
    })));
    const reads: number[] = [];
    readPromptHistory((n) => (reads.push(n), all.slice(-n)), b);
    expect(reads).toEqual([20]);
  });
});
