import { tagsInText } from './store.js';

export interface MemorySection {
  header: string;
  content: string;
  tags: string[];
}

/**
 * PocketPaw's MEMORY.md format (spec §8): split before every line starting with `##`; a
 * section's header is its first line without the leading `#`s, its content the remaining lines
 * trimmed (sections without content are skipped), its tags every `#word` in the content.
 * Line endings are read as Python does (`\r\n` → `\n`), so ids match PocketPaw's.
 */
export function parseMemoryMarkdown(text: string): MemorySection[] {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const out: MemorySection[] = [];
  for (const chunk of normalized.split(/^(?=##)/m)) {
    const lines = chunk.split('\n');
    const header = lines[0]!.replace(/^#+/, '').trim();
    const content = lines.slice(1).join('\n').trim();
    if (!content) continue;
    out.push({ header, content, tags: tagsInText(content) });
  }
  return out;
}

