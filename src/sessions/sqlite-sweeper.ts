import type Database from 'better-sqlite3';

/** Messages removed per step: ~1.5 ms of work (each one also leaves the search index). */
const STEP_ROWS = 50;
/** Pause between steps, so requests keep flowing while a long history is cleared. */
const STEP_PAUSE_MS = 10;
/** Quiet time after the last delete before sweeping: a burst of deletes (clearing a list) goes first. */
const START_DELAY_MS = 250;
/** When another process holds the write lock (an import), try again this much later. */
const BUSY_RETRY_MS = 2000;

/**
 * Deleting a session is one small write: its row goes, and its key is queued in
 * `deleted_sessions` (migration 6). This removes the queued sessions' messages, and with them
 * their search-index entries (a trigger), in small steps on a timer. Before a step runs the
 * messages are unreachable: every read starts from the sessions row, and the search joins it.
 *
 * A step is not fsync'ed on its own (synchronous = NORMAL): if the machine loses power, the
 * step is simply done again. It never waits for the write lock either: while an import holds
 * it, the sweep retries later instead of blocking the event loop for the busy timeout.
 */
export class DeletedSessionSweeper {
  private readonly stmts;
  private timer: NodeJS.Timeout | undefined;
  private lastDeleteAt = 0;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      queue: db.prepare('INSERT OR IGNORE INTO deleted_sessions (key) VALUES (?)'),
      next: db.prepare('SELECT key FROM deleted_sessions LIMIT 1').pluck(),
      removeSome: db.prepare(
        `DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE session = ? LIMIT ${STEP_ROWS})`,
      ),
      done: db.prepare('DELETE FROM deleted_sessions WHERE key = ?'),
    };
    // Work left by a previous run (stopped or crashed before the sweep finished).
    if (this.stmts.next.get() !== undefined) this.schedule(START_DELAY_MS);
  }

  /** Runs `removeRow` (deleting a session row, returning its key) and queues the key, in one transaction. */
  removeSession(removeRow: () => number | undefined): boolean {
    const key = this.db.transaction(() => {
      const removed = removeRow();
      if (removed !== undefined) this.stmts.queue.run(removed);
      return removed;
    })();
    if (key === undefined) return false;
    this.lastDeleteAt = Date.now();
    this.schedule(START_DELAY_MS);
    return true;
  }

  private schedule(delay: number): void {
    if (this.timer) return;
    // unref: a pending sweep never keeps a CLI command or a closing server alive.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.db.open) return;
      const quietFor = Date.now() - this.lastDeleteAt;
      if (quietFor < START_DELAY_MS) {
        this.schedule(START_DELAY_MS - quietFor);
        return;
      }
      let next: 'more' | 'idle' | 'busy';
      try {
        next = this.step();
      } catch (err) {
        // Disk full or similar: the queue stays as it is; the next delete schedules it again.
        process.emitWarning(`Clearing deleted sessions failed and will be retried: ${(err as Error).message}`);
        return;
      }
      if (next === 'more') this.schedule(STEP_PAUSE_MS);
      else if (next === 'busy') this.schedule(BUSY_RETRY_MS);
    }, delay);
    this.timer.unref();
  }

  private step(): 'more' | 'idle' | 'busy' {
    const key = this.stmts.next.get() as number | undefined;
    if (key === undefined) return 'idle';
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => {
        if (this.stmts.removeSome.run(key).changes < STEP_ROWS) this.stmts.done.run(key);
      }).immediate();
      return 'more';
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return 'busy';
      throw err;
    } finally {
      this.db.pragma('synchronous = FULL');
      this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }
}
