import fs from 'node:fs/promises';
import type Database from 'better-sqlite3';

export interface Deferred<T> {
  result: T;
  /** Resolves once the write is on disk (survives power loss); rejects if it could not be made so. */
  durable: Promise<void>;
}

/**
 * Runs `write` as a normal commit but moves its fsync off the event loop. Every other write of
 * the app commits with `synchronous=FULL`: the commit waits for an fsync of the WAL, blocking
 * the process for as long as the disk takes. Here the commit is made with `synchronous=NORMAL`
 * (the WAL frames are written, in the OS's cache: safe from a crash of this process, not yet
 * from power loss), and the WAL file is then fdatasync'ed on libuv's thread pool. The caller
 * does other work meanwhile (a chat turn starts the model request) and waits for `durable`
 * before it tells anyone the write is done.
 */
export function withDeferredSync<T>(db: Database.Database, write: () => T): Deferred<T> {
  if (db.memory) return { result: write(), durable: Promise.resolve() };
  db.pragma('synchronous = NORMAL');
  let result: T;
  try {
    result = write();
  } finally {
    db.pragma('synchronous = FULL');
  }
  return { result, durable: syncFile(`${db.name}-wal`) };
}

async function syncFile(file: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    // No WAL file: a checkpoint already moved the frames into the database file, and a
    // checkpoint syncs what it writes.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
