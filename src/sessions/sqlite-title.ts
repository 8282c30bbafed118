import { firstCodePoints } from '../lib/text.js';

/** Derived titles and previews are cut to these many code points (the service redacts a secret cut in half). */
export const TITLE_CHARS = 80;
export const PREVIEW_CHARS = 120;

/** Title rule of spec §7.3: the first non-blank user message, trimmed, first 80 characters. */
export function deriveTitle(role: string, content: string): string | null {
  if (role !== 'user') return null;
  const trimmed = content.trim();
  return trimmed ? firstCodePoints(trimmed, TITLE_CHARS) : null;
}
