import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/app/paths.js';
import { importPocketPaw } from '../../src/import/import.js';
import { locatePocketPawDir, NotAPocketPawDirError } from '../../src/import/pocketpaw-dir.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { openDatabase } from '../../src/store/db.js';
import { copyFixture, tempDir as newTempDir } from '../helpers/pocketpaw-fixture.js';
import { removeTracked, track } from './pocketpaw-format.js';

const tempDir = (prefix?: string) => track(newTempDir(prefix));

let fixtureCopy: string;
beforeAll(() => {
  fixtureCopy = track(copyFixture());
});
afterAll(removeTracked);

/** Imports into a fresh data dir and returns the summary and how many sessions it now holds. */
function importFresh(dir: string) {
  const home = tempDir();
  const db = openDatabase(databasePath(home));
  try {
    const store = new SqliteSessionStore(db);
    const summary = importPocketPaw(dir, { home, store });
    return { home, summary, count: store.count() };
  } finally {
    db.close();
  }
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('finding the PocketPaw data dir', () => {
  it('accepts the .pocketpaw dir itself', () => {
    expect(locatePocketPawDir(fixtureCopy)).toEqual({ root: fixtureCopy, sessionsDir: path.join(fixtureCopy, 'memory', 'sessions') });
    const { summary, count } = importFresh(fixtureCopy);
    expect(summary.source).toBe(fixtureCopy);
    expect(summary.sessionsCreated).toBe(40);
    expect(count).toBe(40);
  });

  it('accepts the home folder that holds .pocketpaw', () => {
    const home = path.dirname(fixtureCopy);
    expect(locatePocketPawDir(home).root).toBe(fixtureCopy);
    const { summary, count } = importFresh(home);
    expect(summary.source).toBe(fixtureCopy);
    expect(count).toBe(40);
  });

  it('accepts a relative path', () => {
    const rel = path.relative(process.cwd(), fixtureCopy);
    expect(locatePocketPawDir(rel).root).toBe(fixtureCopy);
  });

  it('rejects a directory that is not a PocketPaw data dir, saying what to point at', () => {
    const dir = tempDir('not-pocketpaw-');
    fs.mkdirSync(path.join(dir, 'memory'));
    fs.writeFileSync(path.join(dir, 'notes.json'), '[]');
    const err = thrown(() => locatePocketPawDir(dir));
    expect(err).toBeInstanceOf(NotAPocketPawDirError);
    expect(err.message).toContain(dir);
    expect(err.message).toMatch(/not a PocketPaw data directory/);
    expect(err.message).toMatch(/memory\/sessions/);
    expect(err.message).toMatch(/~\/\.pocketpaw/);
  });

  it('rejects a path that does not exist, and a plain file', () => {
    const missing = path.join(tempDir(), 'nope');
    const err = thrown(() => locatePocketPawDir(missing));
    expect(err).toBeInstanceOf(NotAPocketPawDirError);
    expect(err.message).toMatch(/does not exist/);
    expect(err.message).toMatch(/~\/\.pocketpaw/);
    const file = path.join(fixtureCopy, 'access_token');
    expect(thrown(() => locatePocketPawDir(file))).toBeInstanceOf(NotAPocketPawDirError);
  });

  it('rejects a dir whose memory/sessions is a file', () => {
    const dir = tempDir('not-pocketpaw-');
    fs.mkdirSync(path.join(dir, 'memory'));
    fs.writeFileSync(path.join(dir, 'memory', 'sessions'), '');
    expect(thrown(() => locatePocketPawDir(dir))).toBeInstanceOf(NotAPocketPawDirError);
  });

  it('touches nothing in the data dir when the source is not PocketPaw\'s', () => {
    const home = tempDir();
    const db = openDatabase(databasePath(home));
    try {
      const store = new SqliteSessionStore(db);
      // The dir has an access_token but no sessions: it must not be taken as PocketPaw's.
      const dir = tempDir('not-pocketpaw-');
      fs.writeFileSync(path.join(dir, 'access_token'), 'c0ffee00-1234-4abc-8def-0123456789ab');
      expect(thrown(() => importPocketPaw(dir, { home, store }))).toBeInstanceOf(NotAPocketPawDirError);
      expect(store.count()).toBe(0);
      expect(fs.existsSync(path.join(home, 'access_token'))).toBe(false);
    } finally {
      db.close();
    }
  });
});
