import { Bot, GrammyError, HttpError, type Transformer } from 'grammy';

/**
 * Timings of the Telegram client. The defaults suit the real Bot API; tests shrink the waits so
 * an outage or a retry takes milliseconds instead of seconds.
 */
export interface TelegramTuning {
  /** Seconds one `getUpdates` call may wait for news (long polling). */
  pollTimeoutSec: number;
  /** After a failed poll, wait this long, doubling per failure up to `pollBackoffMaxMs`. */
  pollBackoffMs: number;
  pollBackoffMaxMs: number;
  /** Extra attempts of one API call after a 429, a 5xx or a network error. */
  retries: number;
  /** First wait before retrying a 5xx or network error, doubled per attempt. */
  retryBaseMs: number;
  /** A 429 asking for a longer pause than this is not waited for: the call fails instead. */
  maxRetryAfterMs: number;
  /** Longest one HTTP request may take (a long poll adds its own timeout to this). */
  requestTimeoutSec: number;
}

export const DEFAULT_TUNING: TelegramTuning = {
  pollTimeoutSec: 25,
  pollBackoffMs: 1_000,
  pollBackoffMaxMs: 30_000,
  retries: 3,
  retryBaseMs: 500,
  maxRetryAfterMs: 30_000,
  requestTimeoutSec: 60,
};

/** grammY refuses an API root with a trailing slash; settings may well have one. */
export function apiRootOf(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '') || 'https://api.telegram.org';
}

/**
 * The token is part of every Bot API URL (`/bot<token>/method`), so any error text that might
 * carry a URL (fetch failures, stack traces) goes through here before it is logged or shown.
 */
export function scrubToken(text: string, token: string): string {
  let out = token ? text.split(token).join('<token>') : text;
  // Also tokens we were not told about (a second bot, a token typed into setup).
  out = out.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot<token>');
  return out;
}

/** A short, token-free description of a failed API call. */
export function describeError(err: unknown, token: string): string {
  if (err instanceof GrammyError) return scrubToken(`${err.error_code} ${err.description}`, token);
  if (err instanceof HttpError) {
    const inner = err.error instanceof Error ? err.error.message : String(err.error);
    return scrubToken(`${err.message} ${inner}`.trim(), token);
  }
  return scrubToken(err instanceof Error ? err.message : String(err), token);
}

export function isTokenRejected(err: unknown): boolean {
  // Telegram answers 401 for an unknown token and 404 for one that is not shaped like a token.
  return err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404);
}

/** Telegram refuses an edit that changes nothing; for a streamed answer that is success. */
export function isNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);
}

/** grammY's types name the `abort-controller` package's signal; Node's own behaves the same. */
export type ApiSignal = NonNullable<Parameters<Bot['api']['getMe']>[0]>;
export const apiSignal = (signal: AbortSignal): ApiSignal => signal as unknown as ApiSignal;

/** What `sleep` needs of a signal: Node's and the one grammY hands to transformers both fit. */
interface Abortable {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: Abortable): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Retries what Telegram asks us to retry. A 429 carries `parameters.retry_after` (seconds):
 * we wait exactly that, unless it is longer than `maxRetryAfterMs` — then the call fails and the
 * caller (a streamed answer) moves on instead of hanging. 5xx answers and network failures get a
 * few attempts with doubling waits. `getUpdates` has its own loop (polling.ts) and is passed
 * through, as is `getMe`, whose failure `start()` must report at once.
 */
export function retryTransformer(tuning: TelegramTuning, log?: (m: string) => void): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates' || method === 'getMe') return prev(method, payload, signal);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= tuning.retries;
      let res: Awaited<ReturnType<typeof prev>>;
      try {
        res = await prev(method, payload, signal);
      } catch (err) {
        if (last || signal?.aborted) throw err;
        await sleep(tuning.retryBaseMs * 2 ** attempt, signal);
        continue;
      }
      if (res.ok || last) return res;
      if (res.error_code === 429) {
        const waitMs = (res.parameters?.retry_after ?? 1) * 1000;
        if (waitMs > tuning.maxRetryAfterMs) return res;
        log?.(`Telegram rate limit on ${method}: waiting ${waitMs / 1000}s as asked`);
        await sleep(waitMs, signal);
      } else if (res.error_code >= 500) {
        await sleep(tuning.retryBaseMs * 2 ** attempt, signal);
      } else {
        return res;
      }
      if (signal?.aborted) return res;
    }
  };
}

/** A grammY bot talking to `apiRoot` (the real Bot API, a self-hosted one, or a test server). */
export function createBot(token: string, baseUrl: string, tuning: TelegramTuning, log?: (m: string) => void): Bot {
  const bot = new Bot(token, {
    client: { apiRoot: apiRootOf(baseUrl), timeoutSeconds: tuning.requestTimeoutSec + tuning.pollTimeoutSec },
  });
  bot.api.config.use(retryTransformer(tuning, log));
  return bot;
}
