import type { ChatService, TurnInput } from '../chat/service.js';
import type { TurnSink } from '../chat/turn-sink.js';
import { HttpError } from '../http/errors.js';

/** Ours: turns of one webhook waiting or running at once; more get 429 (the door is public). */
export const MAX_IN_FLIGHT_PER_WEBHOOK = 10;
export const TOO_MANY_IN_FLIGHT = 'Too many requests in flight for this webhook';

/** What the agent answered: its streamed text only, never a notice (spec §3.12 fix, §6.3). */
export interface TurnOutcome {
  response: string;
}

/**
 * Runs webhook turns and counts them per webhook. The chat queue already caps how many turns
 * reach a model at once (`max_concurrent_conversations`); this cap bounds how many a flood of
 * authenticated calls can leave waiting in memory. A slot is held from `claim` until the turn
 * ends (a sync caller that timed out does not free it early: its turn still runs).
 */
export class WebhookRunner {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly chat: Pick<ChatService, 'runTurn'>, private readonly cap = MAX_IN_FLIGHT_PER_WEBHOOK) {}

  /** Takes a slot for `webhook`, or throws the 429; `release` gives it back (once). */
  claim(webhook: string): () => void {
    const n = this.inFlight.get(webhook) ?? 0;
    if (n >= this.cap) throw new HttpError(429, TOO_MANY_IN_FLIGHT);
    this.inFlight.set(webhook, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(webhook) ?? 1) - 1;
      if (left > 0) this.inFlight.set(webhook, left);
      else this.inFlight.delete(webhook);
    };
  }

  /**
   * Starts the turn; resolves with the agent's answer when it ends. Command replies, the no-model
   * hint and the vision notice are messages, not the answer: a sync caller gets only what the
   * model wrote (PocketPaw answered with the welcome hint, spec §10 item 8) — or, when the turn
   * failed or was blocked without answering, the notice saying so.
   */
  run(input: TurnInput, release: () => void): Promise<TurnOutcome> {
    let answer = '';
    let why = '';
    const outcome = () => ({ response: answer || why });
    return new Promise((resolve) => {
      const sink: TurnSink = {
        started: () => undefined,
        text: (delta) => { answer += delta; },
        // A turn that failed or was blocked says why, rather than an empty answer.
        message: (content, notice) => { if (notice === 'failure' || notice === 'blocked') why = content; },
        event: (e) => { if (e.type === 'error') why = e.message; },
        end: () => {
          release();
          resolve(outcome());
        },
      };
      // runTurn never throws (a failure reaches the sink and ends it); settled either way.
      void this.chat.runTurn(input, sink).finally(() => {
        release();
        resolve(outcome());
      });
    });
  }
}

/** Resolves with the outcome, or with `null` after `seconds` (the turn goes on and is stored). */
export function withTimeout(turn: Promise<TurnOutcome>, seconds: number): Promise<TurnOutcome | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), seconds * 1000); });
  return Promise.race([turn, timeout]).finally(() => clearTimeout(timer));
}
