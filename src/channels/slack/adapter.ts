import { App, SocketModeReceiver, type AppOptions } from '@slack/bolt';
import type { AdapterContext, ChannelAdapter, ChannelLimits, CreateAdapter, InboundMessage, OutboundFile, SentMessage } from '../types.js';
import { toMrkdwn } from './format.js';
import { SlackEvent, toInbound, wanted } from './inbound.js';
import { boltLogger } from './logger.js';

/** Timings that tests shorten; the defaults are for the real Slack. */
export interface SlackTuning {
  /**
   * The WebClient's retries (p-retry options) for 429 and 5xx. On a 429 it first waits the
   * `Retry-After` seconds Slack sent, then this backoff; five tries keep a turn's reply alive
   * through a rate-limit burst without hanging it for the library default's half hour.
   */
  retry: { retries: number; factor: number; minTimeout: number; maxTimeout: number; randomize: boolean };
  /** One Web API request; a hung connection fails instead of stalling the answer. */
  requestTimeoutMs: number;
  /** Socket Mode pong wait; also the step of its reconnect delay after a drop. */
  clientPingTimeoutMs: number;
  /** How long `start` waits for the socket's `hello` before giving up. */
  connectTimeoutMs: number;
  downloadTimeoutMs: number;
}

export const SLACK_TUNING: SlackTuning = {
  retry: { retries: 5, factor: 2, minTimeout: 1000, maxTimeout: 20_000, randomize: true },
  requestTimeoutMs: 30_000,
  clientPingTimeoutMs: 5_000,
  connectTimeoutMs: 30_000,
  downloadTimeoutMs: 60_000,
};

/**
 * Slack accepts up to 40,000 characters but recommends at most 4,000 per message; 3,900 leaves
 * room for the escapes and link syntax mrkdwn adds. chat.update is a Tier 3 method (about 50
 * calls a minute per workspace): one edit per 1.1 s keeps a streamed answer (plus the other
 * calls of a busy turn) under that, with room for a second chat answering at the same time.
 */
export const SLACK_LIMITS: ChannelLimits = { maxChars: 3900, canEdit: true, editIntervalMs: 1100 };

/**
 * PocketPaw answers in the thread of the message it answers (`thread_ts`, else the message's own
 * `ts`), keyed by channel. Our `send` only knows the channel, so the adapter remembers the
 * thread of each channel's latest message; a notification long after the last conversation
 * (a reminder hours later) goes to the channel itself instead of an old thread.
 */
const THREAD_MEMORY_MS = 30 * 60_000;

const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'not_allowed_token_type', 'token_revoked', 'account_inactive', 'token_expired']);
const REJECTED = 'Slack rejected the token — check slack_bot_token / slack_app_token (xapp-…)';

function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** A start failure the owner can act on, without the library's stack or any token. */
function startError(err: unknown): Error {
  const code = slackErrorCode(err);
  if (code && AUTH_ERRORS.has(code)) return new Error(`${REJECTED} (${code})`);
  return new Error(`Could not connect to Slack: ${code ?? (err as Error)?.message ?? String(err)}`);
}

interface Running {
  app: App;
  receiver: SocketModeReceiver;
  botUserId: string | undefined;
}

export function buildSlackAdapter(ctx: AdapterContext, tuning: SlackTuning = SLACK_TUNING): ChannelAdapter {
  const s = ctx.settings;
  const threads = new Map<string, { ts: string; at: number }>();
  let running: Running | null = null;

  // One set of client options for both clients: bolt's WebClient (auth.test, chat.*, files.*)
  // and the Socket Mode client's (apps.connections.open, which hands out the wss URL), so both
  // go to `slack_api_base_url`. Copies, because each library adds its own fields to the object.
  // rejectRateLimitedCalls false: a 429 waits Retry-After and is retried instead of failing.
  const clientOptions = (): NonNullable<AppOptions['clientOptions']> => ({
    slackApiUrl: s.slack_api_base_url,
    retryConfig: { ...tuning.retry },
    rejectRateLimitedCalls: false,
    timeout: tuning.requestTimeoutMs,
  });

  function client(): App['client'] {
    if (!running) throw new Error('Slack is not running');
    return running.app.client;
  }

  function threadOf(chatId: string): string | undefined {
    const t = threads.get(chatId);
    return t && Date.now() - t.at < THREAD_MEMORY_MS ? t.ts : undefined;
  }

  async function start(onMessage: (message: InboundMessage) => void): Promise<void> {
    if (running) throw new Error('Slack is already running');
    // Socket Mode needs the app-level token; the Socket Mode client would retry a bot token
    // (`not_allowed_token_type`) forever, so the usual mix-up is caught here.
    if (!s.slack_app_token.startsWith('xapp-')) throw new Error(`${REJECTED}: slack_app_token must be the app-level token, not the bot token`);
    let lastProblem = '';
    const logger = boltLogger((line) => {
      lastProblem = line;
      ctx.log(line);
    });
    const receiver = new SocketModeReceiver({
      appToken: s.slack_app_token,
      logger,
      clientPingTimeout: tuning.clientPingTimeoutMs,
      installerOptions: { clientOptions: clientOptions() },
    });
    // deferInitialization: auth.test runs in `init`, where a bad bot token is a rejection we
    // report, instead of a promise the constructor leaves rejected in the background.
    const app = new App({ token: s.slack_bot_token, receiver, logger, clientOptions: clientOptions(), deferInitialization: true });
    const state: Running = { app, receiver, botUserId: undefined };

    const handle = async (raw: unknown, teamId: string | undefined) => {
      const parsed = SlackEvent.safeParse(raw);
      if (!parsed.success || !wanted(parsed.data, state.botUserId)) return;
      const event = parsed.data;
      const message = await toInbound(event, teamId, {
        botToken: s.slack_bot_token, botUserId: state.botUserId, apiBase: s.slack_api_base_url,
        maxFileBytes: ctx.maxFileBytes, downloadTimeoutMs: tuning.downloadTimeoutMs, log: ctx.log,
      });
      if (!message || running !== state) return;
      const ts = event.thread_ts ?? event.ts;
      if (ts) threads.set(message.chatId, { ts, at: Date.now() });
      onMessage(message);
    };
    app.event('app_mention', async ({ event, body }) => handle(event, body.team_id));
    app.event('message', async ({ event, body }) => handle(event, body.team_id));
    app.error(async (err) => ctx.log(err.message));

    try {
      await app.init();
      const auth = await app.client.auth.test();
      state.botUserId = typeof auth.user_id === 'string' ? auth.user_id : undefined;
      running = state;
      await withTimeout(receiver.start(), tuning.connectTimeoutMs, 'Slack did not open the Socket Mode connection in time');
    } catch (err) {
      running = null;
      await receiver.client.disconnect().catch(() => {});
      if (!(err instanceof TimeoutError)) throw startError(err);
      // The client retries what it thinks may pass; its last complaint says why it never did.
      const code = [...AUTH_ERRORS].find((c) => lastProblem.includes(c));
      throw new Error(code ? `${REJECTED} (${code})` : `${err.message}${lastProblem ? ` (${lastProblem})` : ''}`);
    }
  }

  async function stop(): Promise<void> {
    const r = running;
    running = null;
    threads.clear();
    // The Socket Mode client resolves once the socket is closed (not bolt's `stop`, which
    // returns before that), so a `start` right after never races the old connection.
    if (r) await r.receiver.client.disconnect();
  }

  async function send(chatId: string, text: string): Promise<SentMessage> {
    const thread = threadOf(chatId);
    const res = await client().chat.postMessage({ channel: chatId, text: toMrkdwn(text), ...(thread ? { thread_ts: thread } : {}) });
    if (!res.ts) throw new Error('Slack did not return the message ts');
    return { chatId, messageId: res.ts };
  }

  async function edit(message: SentMessage, text: string): Promise<void> {
    await client().chat.update({ channel: message.chatId, ts: message.messageId, text: toMrkdwn(text) });
  }

  async function sendFile(chatId: string, file: OutboundFile): Promise<SentMessage> {
    const thread = threadOf(chatId);
    // files.uploadV2 is the WebClient's wrapper for files.getUploadURLExternal, the upload
    // itself and files.completeUploadExternal (the old files.upload is retired).
    const upload = { channel_id: chatId, file: Buffer.from(file.data), filename: file.name, title: file.name };
    const res = await client().filesUploadV2(thread ? { ...upload, thread_ts: thread } : upload);
    const completed = (res.files as Array<{ files?: Array<{ id?: string }> }> | undefined)?.[0]?.files?.[0]?.id;
    if (!completed) throw new Error('Slack did not confirm the upload');
    // A shared file has no message ts of its own until Slack posts it; its id names it.
    return { chatId, messageId: completed };
  }

  return { limits: SLACK_LIMITS, start, stop, send, edit, sendFile };
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const createSlackAdapter: CreateAdapter = (ctx) => buildSlackAdapter(ctx);
