/**
 * Turns in one session run one after another (spec §4.2); across sessions at most
 * `limit()` run at once (`max_concurrent_conversations`, read per turn so a settings change
 * applies). Waiting is FIFO.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
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

  /** Holds one of the global slots for the whole of `fn`. */
  async withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit()) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  get active(): number {
    return this.running;
  }
}
