import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { memoryEntryId, OWNER_SCOPE } from './ids.js';
import { parseMemoryMarkdown } from './markdown.js';
import { DEFAULT_HEADER, MemoryStore, type NewMemory } from './store.js';

export interface MemoryImport {
  /** Long-term memory entries added (already-present ones are not counted). */
  entries: number;
  files: number;
  problems: string[];
}

const USER_DIR = /^[0-9a-f]{16}$/;
const DAILY_NOTE = /^\d{4}-\d{2}-\d{2}\.md$/;

/**
 * Reads PocketPaw's long-term memory files (`memory/MEMORY.md` for the owner,
 * `memory/users/<16 hex>/MEMORY.md` per sender, spec §8) into the memory store. Entry ids are
 * PocketPaw's (UUIDv5 of the file's absolute path, header and content), and an entry whose
 * content is already stored under the same header and scope is skipped, so importing again
 * adds nothing. Their time is the import's (spec §8: "the time the file was loaded"). Daily notes (`memory/<date>.md`) are not long-term memory and are only counted.
 */
export function createMemoryImporter(db: Database.Database, home: string): (sourceRoot: string) => MemoryImport {
  const store = new MemoryStore(db, home);
  return (sourceRoot) => {
    const result: MemoryImport = { entries: 0, files: 0, problems: [] };
    const memDir = path.join(sourceRoot, 'memory');
    const files: { file: string; scope: string }[] = [{ file: path.join(memDir, 'MEMORY.md'), scope: OWNER_SCOPE }];
    const usersDir = path.join(memDir, 'users');
    for (const name of safeList(usersDir, result)) {
      const file = path.join(usersDir, name, 'MEMORY.md');
      if (!USER_DIR.test(name)) {
        if (fs.existsSync(file)) result.problems.push(`memory/users/${name}/MEMORY.md skipped: the folder name is not a sender hash (16 hex digits)`);
        continue;
      }
      files.push({ file, scope: name });
    }

    const entries: NewMemory[] = [];
    for (const { file, scope } of files) {
      let text: string;
      try {
        if (!fs.existsSync(file)) continue;
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        result.problems.push(`${path.relative(sourceRoot, file)} could not be read: ${(err as Error).message}`);
        continue;
      }
      result.files++;
      const absolute = path.resolve(file);
      for (const s of parseMemoryMarkdown(text)) {
        const header = s.header || DEFAULT_HEADER;
        entries.push({ scope, header, content: s.content, tags: s.tags, id: memoryEntryId(absolute, s.header, s.content) });
      }
    }
    result.entries = store.addMany(entries);

    const daily = safeList(memDir, result).filter((n) => DAILY_NOTE.test(n)).length;
    if (daily) result.problems.push(`${daily} daily note file(s) (memory/<date>.md) not imported: only long-term memory (MEMORY.md) is`);
    return result;
  };
}

function safeList(dir: string, result: MemoryImport): string[] {
  try {
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  } catch (err) {
    result.problems.push(`${dir} could not be listed: ${(err as Error).message}`);
    return [];
  }
}

