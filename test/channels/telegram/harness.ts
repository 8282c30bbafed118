import { settingsSchema, type Settings } from '../../../src/config/settings.js';
import { buildTelegramAdapter } from '../../../src/channels/telegram/adapter.js';
import type { TelegramTuning } from '../../../src/channels/telegram/api.js';
import type { ChannelAdapter, InboundMessage } from '../../../src/channels/types.js';
import type { FakeTelegram } from './fake-telegram.js';

/** Waits measured in milliseconds instead of seconds; a long poll ends after 1 s. */
export const FAST: Partial<TelegramTuning> = {
  pollTimeoutSec: 1, pollBackoffMs: 20, pollBackoffMaxMs: 100, retries: 3, retryBaseMs: 10, maxRetryAfterMs: 5_000, requestTimeoutSec: 5,
};

/** Inbound messages as the channel layer would receive them, awaitable. */
export class Inbox {
  readonly items: InboundMessage[] = [];
  private waiters: Array<() => void> = [];

  readonly push = (m: InboundMessage): void => {
    this.items.push(m);
    for (const w of [...this.waiters]) w();
  };

  /** Resolves once `n` messages have arrived. */
  waitForCount(n: number, timeoutMs = 5_000): Promise<InboundMessage[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.items.length < n) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(this.items.slice());
        return true;
      };
      const timer = setTimeout(() => reject(new Error(`inbox: ${this.items.length}/${n} messages after ${timeoutMs} ms`)), timeoutMs);
      if (!check()) this.waiters.push(check);
    });
  }
}

export interface AdapterUnderTest {
  adapter: ChannelAdapter;
  inbox: Inbox;
  logs: string[];
  settings: Settings;
}

/** A Telegram adapter pointed at the fake, with fast timings unless told otherwise. */
export function adapterFor(
  fake: FakeTelegram,
  opts: { settings?: Partial<Record<keyof Settings, unknown>>; maxFileBytes?: number; tuning?: Partial<TelegramTuning> } = {},
): AdapterUnderTest {
  const logs: string[] = [];
  const settings = settingsSchema.parse({ telegram_bot_token: fake.token, telegram_api_base_url: fake.apiRoot, ...opts.settings });
  const adapter = buildTelegramAdapter(
    { settings, maxFileBytes: opts.maxFileBytes ?? 1_000_000, log: (m) => logs.push(m) },
    { ...FAST, ...opts.tuning },
  );
  return { adapter, inbox: new Inbox(), logs, settings };
}
