import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { apiSignal, describeError, isTokenRejected, sleep, type TelegramTuning } from './api.js';

export interface PollerOptions {
  bot: Bot;
  /** Only to scrub it from what is logged. */
  token: string;
  tuning: TelegramTuning;
  log(message: string): void;
  /**
   * Handles one update. Resolving `false` means "not handled, ask again later" (polling was
   * stopped while it ran): its offset is not confirmed, so Telegram hands it out again.
   */
  onUpdate(update: Update, signal: AbortSignal): Promise<boolean>;
}

/** The only update kinds we ask for: edits, reactions, channel posts never reach the agent. */
const ALLOWED_UPDATES = ['message'] as const;

/**
 * Long polling on `getUpdates`, our own loop rather than grammY's `bot.start()`: that one waits a
 * fixed 3 s after a failure, cannot be told where to log (the token-free reason matters to the
 * owner) and gives up for good on some errors. Here a failure is logged and retried with a
 * doubling wait, `stop()` aborts the pending long poll at once, and `start()` works again after.
 */
export class Poller {
  /** The next update id we want: Telegram forgets everything below it (it is the confirmation). */
  private offset = 0;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly opts: PollerOptions) {}

  get running(): boolean {
    return this.loop !== null;
  }

  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort?.abort();
    await this.loop;
    this.loop = null;
    this.abort = null;
    await this.confirm();
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { bot, tuning, log, token } = this.opts;
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates({
          offset: this.offset || undefined,
          timeout: tuning.pollTimeoutSec,
          allowed_updates: [...ALLOWED_UPDATES],
        }, apiSignal(signal));
      } catch (err) {
        if (signal.aborted) break;
        const wait = Math.min(tuning.pollBackoffMs * 2 ** failures, tuning.pollBackoffMaxMs);
        failures++;
        const why = isTokenRejected(err) ? 'the bot token was rejected — check telegram_bot_token' : describeError(err, token);
        log(`Telegram polling failed (${why}); retrying in ${wait < 1000 ? `${wait} ms` : `${Math.round(wait / 1000)} s`}`);
        await sleep(wait, signal);
        continue;
      }
      if (failures > 0) log('Telegram polling works again');
      failures = 0;
      for (const update of updates) {
        let handled = true;
        try {
          handled = await this.opts.onUpdate(update, signal);
        } catch (err) {
          // One bad update must not stop the others (nor be fetched again forever).
          log(`Telegram update ${update.update_id} could not be handled: ${describeError(err, token)}`);
        }
        if (!handled) return;
        this.offset = update.update_id + 1;
      }
    }
  }

  /**
   * Tells Telegram which updates we have handled, as grammY does on stop: without it the last
   * batch would be handed out again to the next poller (a restarted channel, or the real channel
   * after pairing), and answered twice.
   */
  private async confirm(): Promise<void> {
    if (this.offset === 0) return;
    try {
      await this.opts.bot.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 }, apiSignal(AbortSignal.timeout(2_000)));
    } catch {
      // Offline: the next poller may see the last batch again; nothing better to do.
    }
  }
}
