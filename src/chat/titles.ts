import type { LanguageModel } from 'ai';
import { codePointLength, firstCodePoints } from '../lib/text.js';

const TITLE_MAX = 60;
const TITLE_TIMEOUT_MS = 30_000;

const QUOTES = /^["'“”‘’«»`*#\s]+|["'“”‘’«»`*\s]+$/g;

/**
 * Cleans a model-written title: one line, no quotes, `Title:` label or trailing period, at most
 * 60 characters (cut at a word boundary when one is near).
 */
export function cleanTitle(raw: string): string | null {
  let t = raw.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  // Quotes may wrap the label ("Title: x") or sit inside it (Title: "x").
  t = t.replace(QUOTES, '').replace(/^title\s*:\s*/i, '').replace(QUOTES, '').replace(/\.+$/, '').trim();
  if (!t) return null;
  if (codePointLength(t) <= TITLE_MAX) return t;
  const cut = firstCodePoints(t, TITLE_MAX + 1);
  const space = cut.search(/\s\S*$/);
  const short = space >= TITLE_MAX / 2 ? cut.slice(0, space) : firstCodePoints(t, TITLE_MAX);
  return short.replace(/[\s,;:.\-–—]+$/, '').trim() || null;
}

/**
 * Asks the model for a short title of the first exchange, in the conversation's language.
 * Returns null on any failure or abort: a title is a nicety, never an error the user sees.
 */
export async function generateTitle(
  model: LanguageModel, userText: string, assistantText: string, signal?: AbortSignal,
): Promise<string | null> {
  const timeout = AbortSignal.timeout(TITLE_TIMEOUT_MS);
  try {
    // Imported on first use: the AI SDK is the heaviest import of the server (issue 14, bench/README.md Footprint).
    const { generateText } = await import('ai');
    const { text } = await generateText({
      model,
      maxRetries: 0,
      // `signal` (e.g. server shutdown) ends the request early, so nothing waits on a slow title.
      abortSignal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      system: 'You name conversations. Reply with only the title: at most 6 words, no quotes, no trailing period, in the same language as the conversation.',
      prompt: `User: ${firstCodePoints(userText, 1000)}\n\nAssistant: ${firstCodePoints(assistantText, 1000)}\n\nTitle:`,
    });
    return cleanTitle(text);
  } catch {
    return null;
  }
}
