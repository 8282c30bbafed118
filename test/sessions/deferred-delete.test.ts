import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { tempDatabaseFiles } from '../helpers/temp-db.js';
import { until } from '../helpers/until.js';

// Deleting a session removes its row at once and its messages later (src/sessions/sqlite-sweeper.ts).
const dbFile = tempDatabaseFiles();

function open() {
  const file = dbFile();
  const db = openDatabase(file);
  return { file, db, store: new SqliteSessionStore(db) };
}

const at = (i: number) => `2026-01-01T10:00:${String(i % 60).padStart(2, '0')}.000000+00:00`;
function fill(store: SqliteSessionStore, id: string, n: number, word: string) {
  store.append(id, 'websocket', Array.from({ length: n }, (_, i) => ({
    id: `${id}-m${i}`, role: i % 2 ? 'assistant' : 'user', content: `${word} message ${i} 夜空の星`, timestamp: at(i),
  })));
}

const count = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get() as number;
/** Index entries, counted from the index itself (it keeps no text to compare with). */
const indexed = (db: Database.Database, word: string) =>
  count(db, `SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '"${word.slice(0, 3)}"'`);
const swept = (db: Database.Database) => (count(db, 'SELECT count(*) FROM deleted_sessions') === 0 ? true : undefined);

describe('deleting a session', () => {
  it('hides it from every read at once, then removes its messages and index entries in the background', async () => {
    const { db, store } = open();
    fill(store, 'websocket_gone', 250, 'xylophone');
    fill(store, 'websocket_kept', 3, 'zeppelin');
    expect(indexed(db, 'xylophone')).toBe(250);

    expect(await store.delete('websocket_gone')).toBe(true);
    expect(await store.delete('websocket_gone')).toBe(false);
    // Before the sweep: the rows are still there, but nothing reaches them.
    expect(count(db, 'SELECT count(*) FROM messages')).toBe(253);
    expect(store.get('websocket_gone')).toBeUndefined();
    expect(store.history('websocket_gone', 50)).toEqual([]);
    expect(store.message('websocket_gone', 'websocket_gone-m0')).toBeUndefined();
    expect(store.search('xylophone', 10)).toEqual([]);
    expect(store.search('星', 10).map((h) => h.id)).toEqual(['websocket_kept']); // the walk path too
    expect(store.list(10).map((s) => s.id)).toEqual(['websocket_kept']);

    // A new session under the same id starts empty: the old messages belong to the old key.
    fill(store, 'websocket_gone', 1, 'fresh');
    expect(store.history('websocket_gone', 50).map((m) => m.content)).toEqual(['fresh message 0 夜空の星']);

    await until(() => swept(db), 10_000);
    expect(count(db, 'SELECT count(*) FROM messages')).toBe(4);
    expect(indexed(db, 'xylophone')).toBe(0);
    expect(indexed(db, 'zeppelin')).toBe(3);
    expect(store.search('message 0', 10).map((h) => h.id).sort()).toEqual(['websocket_gone', 'websocket_kept']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('finishes the clean-up after a restart', async () => {
    const { file, db, store } = open();
    fill(store, 'websocket_gone', 120, 'xylophone');
    await store.delete('websocket_gone');
    db.close(); // before the sweep's first step
    const again = openDatabase(file);
    expect(count(again, 'SELECT count(*) FROM deleted_sessions')).toBe(1);
    new SqliteSessionStore(again);
    await until(() => swept(again), 10_000);
    expect(count(again, 'SELECT count(*) FROM messages')).toBe(0);
    expect(indexed(again, 'xylophone')).toBe(0);
    again.close();
  });

  it('never waits for another process holding the write lock (an import): it retries later', async () => {
    const { file, db, store } = open();
    fill(store, 'websocket_gone', 50, 'xylophone');
    await store.delete('websocket_gone');
    const importer = new Database(file);
    importer.prepare('BEGIN IMMEDIATE').run(); // before the sweep's first step (250 ms)
    // The step meets the lock: it must give up at once, not block the event loop for the busy timeout.
    let last = Date.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
    }, 5);
    await new Promise((r) => setTimeout(r, 800));
    clearInterval(ticker);
    expect(longestGap).toBeLessThan(200);
    expect(count(db, 'SELECT count(*) FROM deleted_sessions')).toBe(1);
    importer.prepare('COMMIT').run();
    importer.close();
    await until(() => swept(db), 10_000);
    expect(count(db, 'SELECT count(*) FROM messages')).toBe(0);
    db.close();
  });
});
