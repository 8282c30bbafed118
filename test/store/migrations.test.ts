import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { tempDatabaseFiles } from '../helpers/temp-db.js';

const dbFile = tempDatabaseFiles();

/** A session row and its first message as the schema of that version has them (columns of version 1). */
function writeOldRow(db: ReturnType<typeof openDatabase>, id: string, content: string): void {
  const at = '2026-01-01T10:00:00.000000+00:00';
  db.prepare(
    "INSERT INTO sessions (id, channel, auto_title, created, last_activity, message_count, preview) VALUES (?, 'websocket', ?, ?, ?, 1, ?)",
  ).run(id, content, at, at, content);
  db.prepare("INSERT INTO messages (session_id, seq, id, role, content, timestamp) VALUES (?, 0, 'm1', 'user', ?, ?)").run(id, content, at);
}

describe('schema migrations', () => {
  it('build the latest schema from an empty database, owner-only, in WAL mode', () => {
    const file = dbFile();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','trigger') ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['sessions', 'messages', 'messages_fts', 'messages_fts_insert', 'messages_fts_delete']));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    db.close();
  });

  it('upgrade a database written before the search index, indexing its existing messages', () => {
    const file = dbFile();
    const previous = 1;
    const old = openDatabase(file, { migrateTo: previous });
    expect(old.pragma('user_version', { simple: true })).toBe(previous);
    expect(old.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages_fts'").pluck().get()).toBe(0);
    writeOldRow(old, 'websocket_old', 'Written before the index existed');
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const store = new SqliteSessionStore(db);
    expect(store.search('before the index', 10).map((h) => h.id)).toEqual(['websocket_old']);
    expect(store.get('websocket_old')).toMatchObject({ title: 'Written before the index existed', message_count: 1 });
    db.close();
  });

  it('upgrade a database written with the previous schema, keeping its sessions, their trees and search', () => {
    const file = dbFile();
    const old = openDatabase(file, { migrateTo: SCHEMA_VERSION - 1 });
    writeOldRow(old, 'websocket_prev', 'From the previous version');
    // Schema 5's tree: m2 answers m1; m3 is an earlier answer to m1, off the active branch.
    const add = old.prepare(
      "INSERT INTO messages (session_id, seq, id, role, content, timestamp, parent_id, active) VALUES ('websocket_prev', ?, ?, 'assistant', ?, '2026-01-01T10:00:01.000000+00:00', 'm1', ?)",
    );
    add.run(1, 'm3', 'An earlier answer', 0);
    add.run(2, 'm2', 'An answer', 1);
    old.prepare("UPDATE sessions SET message_count = 2 WHERE id = 'websocket_prev'").run();
    writeOldRow(old, 'websocket_other', 'Another chat');
    old.close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const store = new SqliteSessionStore(db);
    expect(store.get('websocket_prev')).toMatchObject({ title: 'From the previous version', message_count: 2, model: null });
    expect(store.message('websocket_prev', 'm1')).toMatchObject({ parent_id: null, active: true, children: 2 });
    expect(store.message('websocket_prev', 'm2')).toMatchObject({ parent_id: 'm1', active: true, children: 0 });
    expect(store.message('websocket_prev', 'm3')).toMatchObject({ parent_id: 'm1', active: false });
    expect(store.messages('websocket_prev').map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(store.versions('websocket_prev').get('m2')).toEqual({ index: 2, count: 2, ids: ['m3', 'm2'] });
    expect(store.search('previous version', 5).map((h) => h.id)).toEqual(['websocket_prev']);
    expect(store.search('earlier answer', 5)).toEqual([]); // off the active branch, as before
    expect(store.search('Another', 5).map((h) => h.id)).toEqual(['websocket_other']);
    // The rewrite's old pages were given back to the disk.
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    db.close();
  });

  it('are numbered in order and reopening applies nothing twice', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const file = dbFile();
    openDatabase(file).close();
    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('refuse a database from a newer version instead of damaging it', () => {
    const file = dbFile();
    const db = openDatabase(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer PocketPaw/);
  });
});
