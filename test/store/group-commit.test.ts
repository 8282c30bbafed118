import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import { tempDatabaseFiles } from '../helpers/temp-db.js';

const dbFile = tempDatabaseFiles();

function open() {
  const file = dbFile();
  const db = openDatabase(file);
  db.exec('CREATE TABLE t (v INTEGER)');
  return { file, db };
}

describe('group commit (renames and deletes)', () => {
  it('writes in flight together share fsyncs, and each resolves with its own result', async () => {
    const { db } = open();
    const commits = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => commits.run(() => Number(insert.run(i).lastInsertRowid))));
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The first write starts a sync; the seven that commit while it runs wait for one more.
    expect(commits.syncs).toBe(2);
    // Sequential writes each get their own.
    await commits.run(() => insert.run(9));
    expect(commits.syncs).toBe(3);
    // Every other write of the app is still a FULL commit.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('resolves only after the write is in the WAL on disk, and is visible to another connection', async () => {
    const { file, db } = open();
    const commits = new GroupCommit(db);
    await commits.run(() => db.prepare('INSERT INTO t (v) VALUES (42)').run());
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT v FROM t').pluck().all()).toEqual([42]);
    other.close();
    db.close();
  });

  it('inside a caller\'s transaction leaves the commit (and its fsync) to the caller', async () => {
    const { db } = open();
    const commits = new GroupCommit(db);
    let pending: Promise<unknown> | undefined;
    db.transaction(() => {
      pending = commits.run(() => db.prepare('INSERT INTO t (v) VALUES (1)').run());
    })();
    await pending;
    expect(commits.syncs).toBe(0);
    db.close();
  });
});
