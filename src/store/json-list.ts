import fs from 'node:fs';
import { UnavailableError } from '../lib/errors.js';
import { writeFileAtomic } from '../lib/files.js';

/**
 * A data file that cannot be read: an error whose message says which file and what to do; writes
 * refuse to replace it so nothing in it is lost.
 */
export class UnreadableFileError extends UnavailableError {}

/**
 * A JSON list kept in one file of the data dir (`reminders.json`, `intentions.json`), read from
 * disk on every call so the file stays the truth. Accepts a bare array or `{"<key>": [...]}`.
 */
export class JsonListFile<T> {
  constructor(readonly file: string, private readonly key: string) {}

  read(): T[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new UnreadableFileError(`${this.file} cannot be read: ${(err as Error).message}`);
    }
    if (!text.trim()) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new UnreadableFileError(`${this.file} is not valid JSON (${(err as Error).message}); fix or remove it`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as Record<string, unknown> | null)?.[this.key];
    if (!Array.isArray(list)) throw new UnreadableFileError(`${this.file} does not hold a list of ${this.key}`);
    return list.filter((x): x is T => Boolean(x) && typeof x === 'object');
  }

  write(items: T[]): void {
    writeFileAtomic(this.file, `${JSON.stringify(items, null, 2)}\n`, 0o600);
  }

  /** Read, change, write: one step, so a change never works on a stale list. */
  update<R>(change: (items: T[]) => R): R {
    const items = this.read();
    const result = change(items);
    this.write(items);
    return result;
  }
}
