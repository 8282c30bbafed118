import crypto from 'node:crypto';
import type { Bot } from 'grammy';
import type { Message, Update } from 'grammy/types';
import type { SettingsStore } from '../../config/settings-store.js';
import { createBot, DEFAULT_TUNING, describeError, isTokenRejected, type TelegramTuning } from './api.js';
import { Poller } from './polling.js';

/** What the pairing writes to the audit log: the shape `AuditLog.write` takes. */
export interface PairingAuditEntry {
  action: string;
  target: string;
  actor?: string;
  severity?: 'info' | 'warning' | 'critical' | 'alert';
  status?: string;
  context?: Record<string, unknown>;
}

export interface TelegramPairingOptions {
  settings: SettingsStore;
  audit?: (entry: PairingAuditEntry) => void;
  log?: (message: string) => void;
  /** Called once a pairing succeeded and its temporary bot stopped (the channel may now poll the token). */
  onPaired?: () => void;
  /** Tests shorten these. */
  tuning?: Partial<TelegramTuning>;
  expiryMs?: number;
}

/** As long as a pairing link works: long enough to find the phone, short enough to be useless if seen later. */
const PAIRING_TTL_MS = 10 * 60 * 1000;

const REPLY_PAIRED = 'Paired! PocketPaw will answer your messages in this chat. You can close the setup page now.';
const REPLY_WAITING = 'PocketPaw is waiting to pair: open the link or scan the QR code shown on the setup page.';
const REPLY_INVALID = 'This pairing link is not valid (or has expired). Start again from the setup page in PocketPaw.';

/** One pairing in progress: the temporary bot, its secret, its deadline. */
interface Attempt {
  token: string;
  bot: Bot;
  poller: Poller;
  /** The `/start` payload that pairs, as bytes for the constant-time comparison. */
  secret: Buffer;
  timer: NodeJS.Timeout;
  /** Set by the first correct `/start`: the secret works once. */
  used: boolean;
}

/**
 * Telegram pairing (spec §3.21): the owner gives a bot token; a temporary bot polls for
 * `/start <secret>` and the Telegram user who sends it becomes `allowed_user_id`, the only
 * person the Telegram channel answers. The secret travels only in the deep link / QR code shown
 * on the owner's dashboard: 32 random bytes, compared in constant time, single use, 10 minutes.
 */
export class TelegramPairing {
  private current: Attempt | null = null;
  private paired = false;
  private userId: string | null = null;
  private readonly tuning: TelegramTuning;
  private readonly log: (message: string) => void;
  /** setup and close run one after the other: never two temporary bots polling one token. */
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: TelegramPairingOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.log = opts.log ?? (() => undefined);
  }

  /**
   * Starts a pairing with this token (replacing any in progress) and returns the deep link that
   * carries the secret. Rejects with a token-free reason when Telegram does not accept the token.
   */
  setup(botToken: string): Promise<{ deepLink: string; botUsername: string }> {
    return this.serial(async () => {
      await this.end();
      this.paired = false;
      this.userId = null;
      const token = botToken.trim();
      const bot = createBot(token, this.opts.settings.get().telegram_api_base_url, this.tuning, this.log);
      let username: string | undefined;
      try {
        username = (await bot.api.getMe()).username;
        await bot.api.deleteWebhook({ drop_pending_updates: false });
      } catch (err) {
        throw new Error(isTokenRejected(err) ? 'Telegram rejected the bot token' : describeError(err, token));
      }
      if (!username) throw new Error('Telegram did not tell the bot\'s username');
      const secret = crypto.randomBytes(32).toString('base64url');
      const attempt: Attempt = {
        token, bot, secret: Buffer.from(secret, 'utf8'), used: false,
        poller: new Poller({
          bot, token, tuning: this.tuning, log: this.log,
          onUpdate: async (update) => {
            await this.onUpdate(attempt, update);
            return true;
          },
        }),
        timer: setTimeout(() => void this.expire(attempt), this.opts.expiryMs ?? PAIRING_TTL_MS),
      };
      attempt.timer.unref();
      this.current = attempt;
      attempt.poller.start();
      this.opts.audit?.({ actor: 'owner', action: 'telegram_pairing_started', target: 'telegram', severity: 'info', status: 'success', context: { bot: username } });
      return { deepLink: `https://t.me/${username}?start=${secret}`, botUsername: username };
    });
  }

  /** Spec §3.21 `pairing-status`. */
  status(): { paired: boolean; user_id: number | null } {
    return { paired: this.paired, user_id: this.userId === null ? null : Number(this.userId) };
  }

  /** Stops the temporary bot (server shutdown). */
  close(): Promise<void> {
    return this.serial(() => this.end());
  }

  private async onUpdate(attempt: Attempt, update: Update): Promise<void> {
    const msg = update.message;
    if (!msg?.text || !msg.from || msg.from.is_bot) return;
    const command = /^\/start(?:@\w+)?(?:\s+(\S+))?\s*$/.exec(msg.text);
    if (!command || attempt !== this.current || attempt.used) return;
    const given = command[1];
    if (!given) return this.reply(attempt, msg, REPLY_WAITING);
    const userId = String(msg.from.id);
    const who = { actor: `telegram:${userId}`, target: 'telegram' };
    if (!secretMatches(given, attempt.secret)) {
      this.opts.audit?.({ ...who, action: 'telegram_pairing_refused', severity: 'warning', status: 'failure', context: { user_id: userId, username: msg.from.username ?? null, reason: 'wrong pairing secret' } });
      return this.reply(attempt, msg, REPLY_INVALID);
    }
    attempt.used = true;
    try {
      this.opts.settings.update({ telegram_bot_token: attempt.token, allowed_user_id: userId });
    } catch (err) {
      attempt.used = false;
      this.log(`Telegram pairing could not save the settings: ${describeError(err, attempt.token)}`);
      return;
    }
    this.paired = true;
    this.userId = userId;
    this.opts.audit?.({ ...who, action: 'telegram_paired', severity: 'info', status: 'success', context: { user_id: userId, username: msg.from.username ?? null } });
    await this.reply(attempt, msg, REPLY_PAIRED);
    // Stopped from outside this handler: the poller's stop waits for the handler to finish.
    setImmediate(() => void this.serial(async () => {
      if (this.current === attempt) await this.end();
      this.opts.onPaired?.();
    }));
  }

  private async reply(attempt: Attempt, msg: Message, text: string): Promise<void> {
    try {
      await attempt.bot.api.sendMessage(msg.chat.id, text);
    } catch (err) {
      this.log(`Telegram pairing could not answer: ${describeError(err, attempt.token)}`);
    }
  }

  private async expire(attempt: Attempt): Promise<void> {
    await this.serial(async () => {
      if (this.current !== attempt || attempt.used) return;
      this.log('Telegram pairing expired without a /start from the pairing link');
      await this.end();
    });
  }

  /** Stops the temporary bot; its handled updates are confirmed, so the real channel never sees the `/start`. */
  private async end(): Promise<void> {
    const attempt = this.current;
    if (!attempt) return;
    this.current = null;
    clearTimeout(attempt.timer);
    await attempt.poller.stop();
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(task, task);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }
}

/** Constant time for equal lengths; the length itself is no secret (always 43 characters). */
function secretMatches(given: string, secret: Buffer): boolean {
  const candidate = Buffer.from(given, 'utf8');
  return candidate.length === secret.length && crypto.timingSafeEqual(candidate, secret);
}
