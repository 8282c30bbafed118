import fs from 'node:fs';
import path from 'node:path';

/**
 * Locating a PocketPaw (Python) data dir. Users point at `~/.pocketpaw`, or at the home that
 * holds it; both work.
 */
export interface PocketPawDir {
  root: string;
  sessionsDir: string;
}

export class NotAPocketPawDirError extends Error {}

export function locatePocketPawDir(input: string): PocketPawDir {
  const resolved = path.resolve(input);
  if (!fs.existsSync(resolved)) {
    throw new NotAPocketPawDirError(`${resolved} does not exist. Point to your PocketPaw data directory, usually ~/.pocketpaw.`);
  }
  for (const root of [resolved, path.join(resolved, '.pocketpaw')]) {
    const sessionsDir = path.join(root, 'memory', 'sessions');
    if (fs.existsSync(sessionsDir) && fs.statSync(sessionsDir).isDirectory()) return { root, sessionsDir };
  }
  throw new NotAPocketPawDirError(
    `${resolved} is not a PocketPaw data directory: no memory/sessions/ folder in it. Point to the folder PocketPaw writes to, usually ~/.pocketpaw.`,
  );
}

/** Session files as PocketPaw's own reader picks them (spec §3.1.1, §7.3). */
export function listSessionFiles(sessionsDir: string): string[] {
  return fs.readdirSync(sessionsDir)
    .filter((name) => name.endsWith('.json') && !name.startsWith('_') && !name.endsWith('_compaction.json'))
    .sort();
}

export interface IndexEntry {
  title?: string;
  channel?: string;
  created?: string;
  user_title?: string;
}

/** `_index.json`, or an empty index when it is missing or broken (the files are the truth). */
export function readIndex(sessionsDir: string): { entries: Map<string, IndexEntry>; problem?: string } {
  const file = path.join(sessionsDir, '_index.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { entries: new Map(), problem: '_index.json is missing: titles are derived from the messages' };
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    const entries = new Map<string, IndexEntry>();
    for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (value && typeof value === 'object') entries.set(id, value as IndexEntry);
    }
    return { entries };
  } catch (err) {
    return { entries: new Map(), problem: `_index.json is unreadable (${(err as Error).message}): titles are derived from the messages` };
  }
}
