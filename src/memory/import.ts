import type Database from 'better-sqlite3';

export interface MemoryImport {
  /** Long-term memory entries added (already-present ones are not counted). */
  entries: number;
  files: number;
  problems: string[];
}

/**
 * Reads PocketPaw's long-term memory files (`memory/MEMORY.md`, `memory/users/<hash>/MEMORY.md`,
 * spec §8) into our memory store. Filled in by the memory issue.
 */
export function createMemoryImporter(_db: Database.Database, _home: string): (sourceRoot: string) => MemoryImport {
  return () => ({ entries: 0, files: 0, problems: [] });
}
