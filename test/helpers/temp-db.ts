import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from './pocketpaw-fixture.js';

/** Returns a function giving a fresh `pocketpaw.db` path in its own temp dir; all removed after each test. */
export function tempDatabaseFiles(): () => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = tempDir();
    dirs.push(dir);
    return path.join(dir, 'pocketpaw.db');
  };
}
