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
  // Page cache: 8 MB per connection (negative = KiB). It is process memory that stays once
  // filled (the first health check's quick_check reads the whole file through it), so it counts
  // in idle RSS (issue 14); the OS page cache still holds the file, so a miss costs a read
  // syscall, not a disk read. Measured on 10k sessions × 100 messages, list, history and
  // search took as long with 8 MB as with 32 MB (bench/README.md, Footprint).
  db.pragma('cache_size = -8000');
  // No memory-mapped I/O (SQLite's default, set here on purpose): mapped file pages count in
  // RSS as they are touched, so a full scan (quick_check, a rebuild) would show the whole
  // database as resident, and an I/O error on a mapped page kills the process (SIGBUS)
  // instead of failing one query.
  db.pragma('mmap_size = 0');
  migrate(db, options.migrateTo);
  return db;
}
