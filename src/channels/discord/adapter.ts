import { Client, Events, GatewayIntentBits, Partials, Routes, type Message } from 'discord.js';
import { z } from 'zod';
import type { AdapterContext, ChannelAdapter, ChannelLimits, CreateAdapter, InboundMessage, OutboundFile, SentMessage } from '../types.js';
import { toInbound } from './inbound.js';

/**
 * Discord through discord.js: the gateway (WebSocket) brings messages in, REST sends answers.
 * Everything points at `discord_api_base_url`: discord.js asks `GET <base>/v10/gateway/bot` for
 * the gateway's address, so one setting moves both REST and the gateway (which is also how the
 * tests' fake Discord takes over both).
 */

export interface DiscordAdapterOptions {
  /** How long `start` waits for the gateway's READY before giving up. */
  readyTimeoutMs?: number;
  /** Extra tries of a request that failed with a 5xx or a reset connection (discord.js's default is 3). */
  restRetries?: number;
}

export const TOKEN_REJECTED = 'Discord rejected the bot token — check discord_bot_token';
const INTENT_REFUSED = 'Discord refused the Message Content intent — enable it for this bot in the Discord developer portal (Bot → Privileged Gateway Intents)';

/** Gateway close codes after which discord.js gives up (Discord's documented codes). */
const CLOSE_AUTHENTICATION_FAILED = 4004;
const CLOSE_DISALLOWED_INTENTS = 4014;

// Discord allows 5 messages per 5 s in one channel, and edits count against the same channel: one
// edit every 1.2 s leaves room for the answer's continuation messages and "typing" in that window.
const LIMITS: ChannelLimits = { maxChars: 2000, canEdit: true, editIntervalMs: 1200 };

// A model's answer must not ping @everyone, @here or whole roles (a prompt injection could ask it
// to); mentioning a single user still notifies them, as the person would expect.
const ALLOWED_MENTIONS = { parse: ['users'] };

const SentSchema = z.object({ id: z.string() });

/** discord.js appends `/v10` itself: `https://discord.com/api/v10/` and `…/api` mean the same. */
function apiBase(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v\d+$/, '');
}

export function discordAdapter(ctx: AdapterContext, opts: DiscordAdapterOptions = {}): ChannelAdapter {
  return new DiscordAdapter(ctx, opts);
}

export const createDiscordAdapter: CreateAdapter = (ctx) => discordAdapter(ctx);

class DiscordAdapter implements ChannelAdapter {
  readonly limits = LIMITS;
  private client: Client | null = null;
  /** Rejects a `start` still waiting for READY when `stop` is called. */
  private abortStart: ((err: Error) => void) | null = null;

  constructor(private readonly ctx: AdapterContext, private readonly opts: DiscordAdapterOptions) {}

  async start(onMessage: (message: InboundMessage) => void): Promise<void> {
    await this.stop();
    const token = this.ctx.settings.discord_bot_token.trim();
    if (!token) throw new Error('Discord needs a bot token: set discord_bot_token');
    const client = this.createClient();
    this.client = client;
    client.on(Events.MessageCreate, (message) => void this.receive(client, message, onMessage));
    try {
      await this.connect(client, token);
    } catch (err) {
      if (this.client === client) this.client = null;
      await client.destroy().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.abortStart?.(new Error('Discord was stopped while connecting'));
    // Destroying closes the gateway and drops queued REST calls at once; no goodbye round trip.
    if (client) await client.destroy();
  }

  async send(chatId: string, text: string): Promise<SentMessage> {
    const data = await this.rest().post(Routes.channelMessages(chatId), { body: { content: text, allowed_mentions: ALLOWED_MENTIONS } });
    return { chatId, messageId: SentSchema.parse(data).id };
  }

  async edit(message: SentMessage, text: string): Promise<void> {
    await this.rest().patch(Routes.channelMessage(message.chatId, message.messageId), {
      body: { content: text, allowed_mentions: ALLOWED_MENTIONS },
    });
  }

  async sendFile(chatId: string, file: OutboundFile): Promise<SentMessage> {
    // Straight to REST rather than channel.send: that would sniff the type from the bytes and
    // lose the mime the agent gave, and would first fetch any channel not in the cache.
    const data = await this.rest().post(Routes.channelMessages(chatId), {
      body: { attachments: [{ id: 0, filename: file.name }], allowed_mentions: ALLOWED_MENTIONS },
      files: [{ name: file.name, data: Buffer.from(file.data), contentType: file.mime }],
    });
    return { chatId, messageId: SentSchema.parse(data).id };
  }

  async typing(chatId: string): Promise<void> {
    await this.rest().post(Routes.channelTyping(chatId));
  }

  private rest(): Client['rest'] {
    if (!this.client) throw new Error('Discord is not connected');
    return this.client.rest;
  }

  private createClient(): Client {
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent],
      // A DM channel is not cached until it is used; without this partial its messages are dropped.
      partials: [Partials.Channel],
      rest: { api: apiBase(this.ctx.settings.discord_api_base_url), version: '10', retries: this.opts.restRetries ?? 3 },
    });
    client.on(Events.Error, (err) => this.ctx.log(`Discord client error: ${err.message}`));
    client.on(Events.ShardError, (err) => this.ctx.log(`Discord gateway error: ${err.message}`));
    client.on(Events.ShardDisconnect, (event) => this.ctx.log(`Discord gateway closed for good (code ${event.code})`));
    client.rest.on('rateLimited', (info) => {
      this.ctx.log(`Discord rate limit on ${info.method.toUpperCase()} ${info.route}: retrying in ${info.retryAfter} ms`);
    });
    return client;
  }

  /** Logs in and waits for READY, turning each way it can fail into a message the owner can act on. */
  private async connect(client: Client, token: string): Promise<void> {
    const timeoutMs = this.opts.readyTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.abortStart = reject;
        timer = setTimeout(() => reject(new Error(
          `Discord's gateway did not answer within ${Math.round(timeoutMs / 1000)} s — check the network and discord_api_base_url`,
        )), timeoutMs);
        client.once(Events.ClientReady, () => resolve());
        client.on(Events.ShardDisconnect, (event) => {
          if (event.code === CLOSE_AUTHENTICATION_FAILED) reject(new Error(TOKEN_REJECTED));
          else if (event.code === CLOSE_DISALLOWED_INTENTS) reject(new Error(INTENT_REFUSED));
          else reject(new Error(`Discord closed the gateway connection (code ${event.code})`));
        });
        client.login(token).catch((err: unknown) => reject(this.loginError(err)));
      });
    } finally {
      clearTimeout(timer);
      this.abortStart = null;
    }
  }

  private loginError(err: unknown): Error {
    const e = err as { code?: unknown; status?: unknown; message?: unknown; cause?: { code?: unknown } };
    // 401 from `GET /gateway/bot` (TokenInvalid), or the gateway's close 4004 surfacing through login.
    if (e.code === 'TokenInvalid' || e.status === 401 || e.message === 'Authentication failed') return new Error(TOKEN_REJECTED);
    const reason = typeof e.cause?.code === 'string' ? e.cause.code : typeof e.message === 'string' ? e.message : String(err);
    return new Error(`Could not reach Discord at ${this.ctx.settings.discord_api_base_url}: ${reason}`);
  }

  private async receive(client: Client, message: Message, onMessage: (message: InboundMessage) => void): Promise<void> {
    const botId = client.user?.id;
    if (!botId) return;
    try {
      const inbound = await toInbound(message, { botId, maxFileBytes: this.ctx.maxFileBytes, log: this.ctx.log });
      // A message that arrived just before `stop` (or a restart) belongs to the old connection.
      if (inbound && this.client === client) onMessage(inbound);
    } catch (err) {
      this.ctx.log(`Discord message could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
