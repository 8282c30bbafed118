import fs from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError } from '../config/load.js';
import { migrate } from './migrations.js';

export interface OpenOptions {
  /** Stop migrating at this schema version (tests of upgrades). */
  migrateTo?: number;
}

/**
 * Opens the SQLite database with the settings every part of the app relies on:
 * WAL so readers never block the writer, FULL sync so an acknowledged write survives a crash
 * or power loss (spec §11.10), foreign keys for cascading deletes, and a busy timeout so a
 * second process (`pocketpaw import` while the server runs) waits instead of failing.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  if (file !== ':memory:') {
    // Conversations are private: create the file owner-only (SQLite gives -wal/-shm the same mode).
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
  } catch (err) {
    db.close();
    throw new ConfigError(`Cannot open the database ${file}: ${(err as Error).message}. Move the file aside (your sessions are in it) and start again, or restore a backup.`);
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.pragma('cache_size = -32000');
  migrate(db, options.migrateTo);
  return db;
}
