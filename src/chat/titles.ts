import { generateText, type LanguageModel } from 'ai';
import { firstCodePoints } from '../shared/text.js';

const TITLE_MAX = 60;
const TITLE_TIMEOUT_MS = 30_000;

/** Cleans a model-written title: one line, no quotes or trailing period, at most 60 characters. */
export function cleanTitle(raw: string): string | null {
  let t = raw.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  t = t.replace(/^(title\s*:\s*)/i, '').replace(/^["'“”«»`*#\s]+|["'“”«»`*\s]+$/g, '').replace(/\.$/, '').trim();
  if (!t) return null;
  return firstCodePoints(t, TITLE_MAX).trim();
}

/**
 * Asks the model for a short title of the first exchange, in the conversation's language.
 * Returns null on any failure: a title is a nicety, never an error the user sees.
 */
export async function generateTitle(model: LanguageModel, userText: string, assistantText: string): Promise<string | null> {
  try {
    const { text } = await generateText({
      model,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
      system: 'You name conversations. Reply with only the title: at most 6 words, no quotes, no trailing period, in the same language as the conversation.',
      prompt: `User: ${firstCodePoints(userText, 1000)}\n\nAssistant: ${firstCodePoints(assistantText, 1000)}\n\nTitle:`,
    });
    return cleanTitle(text);
  } catch {
    return null;
  }
}
