import type { TurnSink } from './turn-sink.js';

/**
 * A sink that holds everything back until `durable` resolves: the user's message is on disk
 * before anything of the answer reaches the client, while the model request has already gone
 * out (spec §11.10: an acknowledged write survives a crash). Calls are replayed in order. If
 * the message could not be made durable, the turn is reported failed instead and `onFailure`
 * stops it.
 */
export function durableSink(sink: TurnSink, durable: Promise<void>, onFailure: () => void): TurnSink {
  let ready = false;
  let failed = false;
  const held: Array<() => void> = [];
  void durable.then(
    () => {
      ready = true;
      for (const call of held.splice(0)) call();
    },
    (err: unknown) => {
      failed = true;
      held.length = 0;
      onFailure();
      sink.message(`Your message could not be saved to disk (${(err as Error)?.message ?? String(err)}). Check the free space of the data folder, then send it again.`, 'failure');
      sink.end({ usage: null, interrupted: false, failed: true });
    },
  );
  const pass = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => {
    if (failed) return;
    if (ready) fn(...args);
    else held.push(() => fn(...args));
  };
  return {
    started: pass((key) => sink.started(key)),
    text: pass((delta) => sink.text(delta)),
    message: pass((content, notice) => sink.message(content, notice)),
    event: pass((e, key) => sink.event(e, key)),
    end: pass((info) => sink.end(info)),
  };
}
