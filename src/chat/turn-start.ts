/**
 * The start of a turn that has the model answer: the user's message is stored and the client is
 * told the turn started. That may happen once the model request has gone out
 * (`afterDispatch`), so storing the message overlaps the provider's work on the request instead
 * of delaying it (issue 14). What keeps this safe:
 *
 * - the message is on disk before anything of the answer reaches a client or a tool runs: the
 *   agent waits for `afterDispatch()` before it yields anything or runs a tool (runAgent's
 *   `ready`), however soon the answer came back;
 * - a kill before the write leaves a request the user never got an answer to, not a lost
 *   acknowledged message;
 * - nothing is held back and replayed: every frame of the turn is sent when it happens, in order
 *   (the message's `session_updated`, `started`, then the answer).
 *
 * `write` may finish its work on disk asynchronously (a commit whose fsync runs on the thread
 * pool, SessionService.appendDurably): `started` and the answer then wait for its promise.
 *
 * Every other path (no model, a wait for a slot, a failure) stores the message first with
 * `now()`, as before.
 */
export class TurnStart {
  private stored: Promise<void> | undefined;
  private scheduled: Promise<void> | undefined;

  /**
   * @param write stores the user's message (nothing for regenerate / continue); throws or rejects when it cannot
   * @param started tells the client the agent is about to run (TurnSink.started)
   */
  constructor(private readonly write: () => void | Promise<void>, private readonly started: () => void) {}

  /** Stores the message (once; a synchronous write happens within this call), then reports the start. */
  now(): Promise<void> {
    this.stored ??= (async () => {
      await this.write();
      this.started();
    })();
    return this.stored;
  }

  /**
   * `now()` on the next turn of the event loop (setImmediate): after the microtasks in which the
   * caller's model request is sent. Resolves once the message is on disk; rejects when it could
   * not be stored.
   */
  afterDispatch(): Promise<void> {
    this.scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.now());
    return this.scheduled;
  }
}
