import { type Bot, GrammyError, HttpError, InputFile } from 'grammy';
import type {
  AdapterContext, ChannelAdapter, ChannelLimits, CreateAdapter, InboundMessage, OutboundFile, SentMessage,
} from '../types.js';
import { apiRootOf, apiSignal, createBot, DEFAULT_TUNING, describeError, isNotModified, isTokenRejected, type ApiSignal, type TelegramTuning } from './api.js';
import { toInbound } from './inbound.js';
import { Poller } from './polling.js';

/** What Telegram accepts: 4096 characters a message; photos up to 10 MB; bot uploads up to 50 MB. */
const MAX_CHARS = 4096;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Images Telegram shows inline; anything else (and a photo it refuses) goes as a document. */
const PHOTO_MIME = /^image\/(jpeg|png|webp)$/i;

/**
 * The slash commands the channel layer answers for a chat user (spec §6.4), shown by Telegram's
 * "/" menu. Not /model, /backend or /tools: a channel user cannot change settings.
 */
const BOT_COMMANDS = [
  { command: 'new', description: 'Start a fresh conversation' },
  { command: 'sessions', description: 'List your conversations' },
  { command: 'resume', description: 'Resume a conversation: /resume <number>' },
  { command: 'rename', description: 'Rename this conversation' },
  { command: 'clear', description: 'Clear this conversation' },
  { command: 'delete', description: 'Delete this conversation' },
  { command: 'status', description: 'Show this conversation\'s details' },
  { command: 'help', description: 'List the commands' },
];

export const TOKEN_REJECTED = 'Telegram rejected the bot token — check telegram_bot_token';

/** Bot API chat ids are integers; numeric strings are sent as numbers, `@channel` names as they are. */
function chatIdOf(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) && Number.isSafeInteger(Number(chatId)) ? Number(chatId) : chatId;
}

/** Why `start()` failed, in words the owner can act on (never the token). */
function startFailure(err: unknown, token: string, baseUrl: string): string {
  if (isTokenRejected(err)) return TOKEN_REJECTED;
  if (err instanceof HttpError) return `Cannot reach the Telegram Bot API at ${apiRootOf(baseUrl)}: ${describeError(err, token)}`;
  return `Telegram refused to start the bot: ${describeError(err, token)}`;
}

class TelegramAdapter implements ChannelAdapter {
  readonly limits: ChannelLimits = {
    maxChars: MAX_CHARS,
    canEdit: true,
    // Telegram allows about one edit per second in a chat (more earns a 429 and a pause of
    // several seconds), so a streamed answer is edited at most once a second.
    editIntervalMs: 1_000,
  };

  private readonly token: string;
  private readonly bot: Bot | null;
  private readonly poller: Poller | null;
  private onMessage: (m: InboundMessage) => void = () => undefined;
  /** Aborted by `stop()`: outbound calls still waiting (a 429 pause) give up instead of delaying it. */
  private outbound: AbortController | null = null;
  /** start and stop run one after the other, never interleaved. */
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: AdapterContext, private readonly tuning: TelegramTuning) {
    this.token = ctx.settings.telegram_bot_token.trim();
    const baseUrl = ctx.settings.telegram_api_base_url;
    this.bot = this.token ? createBot(this.token, baseUrl, tuning, ctx.log) : null;
    const inboundDeps = this.bot && {
      bot: this.bot, token: this.token, baseUrl, maxFileBytes: ctx.maxFileBytes, requestTimeoutSec: tuning.requestTimeoutSec, log: ctx.log,
    };
    this.poller = this.bot && inboundDeps && new Poller({
      bot: this.bot, token: this.token, tuning, log: ctx.log,
      onUpdate: async (update, signal) => {
        // Edited messages are not asked for (allowed_updates) and ignored if they come anyway.
        if (!update.message) return true;
        const inbound = await toInbound(update.message, inboundDeps, signal);
        if (signal.aborted) return false;
        if (inbound) this.onMessage(inbound);
        return true;
      },
    });
  }

  start(onMessage: (message: InboundMessage) => void): Promise<void> {
    return this.serial(async () => {
      if (!this.bot || !this.poller) throw new Error('Telegram needs a bot token: set telegram_bot_token or pair from the dashboard');
      this.onMessage = onMessage;
      if (this.poller.running) return;
      try {
        await this.bot.api.getMe();
        // Long polling and a webhook exclude each other: Telegram answers getUpdates with 409
        // while one is set. Pending updates are kept, so a message sent during a restart is answered.
        await this.bot.api.deleteWebhook({ drop_pending_updates: false });
      } catch (err) {
        throw new Error(startFailure(err, this.token, this.ctx.settings.telegram_api_base_url));
      }
      this.outbound = new AbortController();
      this.poller.start();
      // Only the "/" menu: not worth delaying or failing the start for.
      this.bot.api.setMyCommands(BOT_COMMANDS, {}, apiSignal(this.outbound.signal))
        .catch((err: unknown) => this.ctx.log(`could not set the bot's command menu: ${describeError(err, this.token)}`));
    });
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      this.outbound?.abort();
      this.outbound = null;
      await this.poller?.stop();
    });
  }

  async send(chatId: string, text: string): Promise<SentMessage> {
    const { bot, signal } = this.live();
    const msg = await bot.api.sendMessage(chatIdOf(chatId), text, {}, signal);
    return { chatId, messageId: String(msg.message_id) };
  }

  async edit(message: SentMessage, text: string): Promise<void> {
    const { bot, signal } = this.live();
    try {
      await bot.api.editMessageText(chatIdOf(message.chatId), Number(message.messageId), text, {}, signal);
    } catch (err) {
      if (!isNotModified(err)) throw err;
    }
  }

  async sendFile(chatId: string, file: OutboundFile): Promise<SentMessage> {
    const { bot, signal } = this.live();
    if (file.data.byteLength > MAX_UPLOAD_BYTES) {
      throw new Error(`Telegram bots can send files up to 50 MB; ${file.name} is ${file.data.byteLength} bytes`);
    }
    // A line break in a multipart file name would break the upload; grammY refuses it.
    const name = file.name.replace(/[\r\n"]/g, '_') || 'file';
    const chat = chatIdOf(chatId);
    if (PHOTO_MIME.test(file.mime) && file.data.byteLength <= MAX_PHOTO_BYTES) {
      try {
        const msg = await bot.api.sendPhoto(chat, new InputFile(file.data, name), {}, signal);
        return { chatId, messageId: String(msg.message_id) };
      } catch (err) {
        // Telegram refuses some images as photos (odd dimensions); as a document they still arrive.
        if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
      }
    }
    const msg = await bot.api.sendDocument(chat, new InputFile(file.data, name), {}, signal);
    return { chatId, messageId: String(msg.message_id) };
  }

  async typing(chatId: string): Promise<void> {
    const { bot, signal } = this.live();
    await bot.api.sendChatAction(chatIdOf(chatId), 'typing', {}, signal);
  }

  /** The bot and the signal of the running channel; rejects once it has stopped. */
  private live(): { bot: Bot; signal: ApiSignal } {
    if (!this.bot || !this.outbound) throw new Error('The Telegram channel is not running');
    return { bot: this.bot, signal: apiSignal(this.outbound.signal) };
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(task, task);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }
}

/** For tests and tools that need other timings than the real Bot API's. */
export function buildTelegramAdapter(ctx: AdapterContext, tuning: Partial<TelegramTuning> = {}): ChannelAdapter {
  return new TelegramAdapter(ctx, { ...DEFAULT_TUNING, ...tuning });
}

export const createTelegramAdapter: CreateAdapter = (ctx) => buildTelegramAdapter(ctx);
