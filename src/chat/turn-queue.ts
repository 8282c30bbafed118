/**
 * Turns in one session run one after another (spec §4.2); across sessions at most
 * `limit()` run at once (`max_concurrent_conversations`, read per turn so a settings change
 * applies). Waiting is FIFO.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  /** FIFO; a waiter is called once a slot has been counted for it. */
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: () => number) {}

  /** Holds the session's lock for the whole of `fn`. */
  async inSession<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.tails.set(sessionId, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
    }
  }

  /**
   * Holds one of the global slots for the whole of `fn`. When `signal` aborts while the turn
   * is still waiting for a slot, `fn` never runs and the result is `undefined`: a stopped turn
   * must not wait for another conversation to finish first.
   */
  async withSlot<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
    if (this.running < this.limit() && this.waiting.length === 0) this.running++;
    else if (!(await this.waitForSlot(signal))) return undefined;
    try {
      return await fn();
    } finally {
      this.running--;
      this.wake();
    }
  }

  private waitForSlot(signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Gives every free slot to a waiter (more than one when the limit was raised meanwhile),
   * counting it as running right away so no newcomer can take it before the waiter resumes.
   */
  private wake(): void {
    while (this.waiting.length > 0 && this.running < this.limit()) {
      this.running++;
      this.waiting.shift()!();
    }
  }

  /** Whether `withSlot` would wait now (every slot taken, or others already waiting). */
  get full(): boolean {
    return this.running >= this.limit() || this.waiting.length > 0;
  }

  get active(): number {
    return this.running;
  }
}
