import fs from 'node:fs';
import type Database from 'better-sqlite3';

/**
 * Group commit for small acknowledged writes (rename, delete). The app's default commit is
 * `synchronous=FULL`: it fsyncs the WAL on the event loop, so eight writes in flight take eight
 * fsyncs one after the other, and the eighth waits for all of them. Here the commit is made with
 * `synchronous=NORMAL` (the WAL frames are written to the OS: safe from a crash of this process,
 * not yet from power loss), and the WAL is fdatasync'ed on libuv's thread pool; the caller's
 * promise resolves only after that, so an acknowledged write still survives power loss. Writes
 * that commit while a sync runs share the next one.
 */
export class GroupCommit {
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;
  /** fdatasync calls made (diagnostics and tests). */
  syncs = 0;

  constructor(private readonly db: Database.Database) {}

  /** Runs `write` (synchronous, its own transaction) and resolves with its result once it is on disk. */
  async run<T>(write: () => T): Promise<T> {
    // Inside a caller's transaction, or in memory: the caller's commit decides.
    if (this.db.memory || this.db.inTransaction) return write();
    this.db.pragma('synchronous = NORMAL');
    let result: T;
    try {
      result = write();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    await this.sync();
    return result;
  }

  private sync(): Promise<void> {
    if (!this.running) return this.start();
    // The running sync may have started before this commit: wait for it, then sync once more
    // for every write that committed meanwhile.
    this.waiting ??= this.running.then(noop, noop).then(() => {
      this.waiting = undefined;
      return this.start();
    });
    return this.waiting;
  }

  private start(): Promise<void> {
    this.syncs++;
    const done: Promise<void> = syncFile(`${this.db.name}-wal`).finally(() => {
      if (this.running === done) this.running = undefined;
    });
    this.running = done;
    return done;
  }
}

const noop = () => undefined;

/**
 * One trip to the thread pool: the WAL is opened and closed on the event loop (microseconds, no
 * disk I/O), only the fdatasync runs off it. Three async steps (open, sync, close) made a lone
 * rename slower than a blocking FULL commit on a busy machine.
 */
function syncFile(file: string): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    // No WAL file: a checkpoint already moved the frames into the database file and synced it.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve();
    return Promise.reject(err as Error);
  }
  return new Promise((resolve, reject) => {
    // fdatasync flushes the file's data whichever descriptor asks: SQLite's writes included.
    fs.fdatasync(fd, (err) => {
      fs.closeSync(fd);
      if (err) reject(err);
      else resolve();
    });
  });
}
