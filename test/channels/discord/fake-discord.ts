import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, type GatewaySession, type ReceivedOp } from './fake-discord-gateway.js';
import { handleRest, type RestHooks } from './fake-discord-rest.js';
import {
  FakeWorld, snowflake, type Failure, type FakeGuild, type RecordedCall, type StoredMessage, type WireUser,
} from './fake-discord-world.js';

/**
 * A fake Discord on one ephemeral port: REST under `/api/v10`, attachments under `/attachments`,
 * and the gateway WebSocket at `/gateway` (advertised by `GET /gateway/bot`, so discord.js finds
 * it the way it finds Discord's). Tests push user messages in, queue failures, and read what the
 * bot did from the recorded calls and the stored messages.
 */

export interface PushedMessage {
  channelId: string;
  /** Absent for a DM. */
  guildId?: string;
  authorId: string;
  authorName?: string;
  /** Written by a bot account (not ours). */
  authorBot?: boolean;
  content: string;
  /** Mentions the bot: puts `<@bot id>` in front of the content (unless it is there) and the bot in `mentions`. */
  mentionsBot?: boolean;
  attachments?: { filename: string; contentType?: string; data: Buffer | string }[];
}

export interface FakeDiscordOptions {
  token?: string;
  botName?: string;
  guilds?: FakeGuild[];
  /** HELLO's heartbeat interval; Discord's is ~41 s, tests that watch heartbeats use less. */
  heartbeatIntervalMs?: number;
  /** REST accepts any token, so only the gateway's IDENTIFY check (close 4004) refuses a bad one. */
  restAcceptsAnyToken?: boolean;
}

export interface FakeDiscord {
  /** What `discord_api_base_url` is set to (discord.js appends `/v10`). */
  apiBase: string;
  token: string;
  bot: WireUser;
  guild: FakeGuild;
  calls: RecordedCall[];
  /** Bot-sent messages by id, with every edit. */
  messages: Map<string, StoredMessage>;
  /** Gateway ops the client sent (heartbeats, identify, …). */
  received: ReceivedOp[];
  /** Open gateway connections that identified. */
  sessions(): GatewaySession[];
  /** Delivers a user's message as MESSAGE_CREATE on every live gateway connection; returns its id. */
  pushMessage(m: PushedMessage): string;
  /** A DM channel between a user and the bot exists (on Discord: once either side opened it). */
  openDm(channelId: string): void;
  /** Attachment downloads wait until the returned function is called. */
  holdDownloads(): () => void;
  /** Downloads waiting behind `holdDownloads`. */
  downloadsWaiting(): number;
  /** The next `times` requests on `route` (e.g. `POST /channels/:id/messages`) fail like this. */
  failNext(route: string, failure: Failure, times?: number): void;
  /** Cuts every gateway connection without a close frame; the sessions stay resumable. */
  dropConnections(): void;
  /** Where `GET /gateway/bot` points the client; a dead address simulates an unreachable gateway. */
  setGatewayUrl(url: string | null): void;
  /** Resolves with `check()`'s first truthy value, re-checked on every request and gateway event. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  callsTo(route: string): RecordedCall[];
  close(): Promise<void>;
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const guild: FakeGuild = { id: snowflake(), name: 'Paw Den', channels: [snowflake()] };
  const world = new FakeWorld(opts.token ?? 'fake-bot-token', opts.botName ?? 'PawBot', opts.guilds ?? [guild]);
  const gateway = new FakeGateway(world, opts.heartbeatIntervalMs ?? 41_250);
  let gatewayOverride: string | null = null;
  const hooks: RestHooks = {
    gatewayUrl: () => gatewayOverride ?? `${world.baseUrl.replace(/^http/, 'ws')}/gateway`,
    restAcceptsAnyToken: opts.restAcceptsAnyToken ?? false,
    onBotMessage: (event, message) => gateway.dispatch(event, message),
  };

  const server = http.createServer((req, res) => {
    handleRest(world, hooks, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(err), code: 0 }));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'ws://fake').pathname === '/gateway') gateway.upgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  world.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pushMessage = (m: PushedMessage): string => {
    const id = snowflake();
    if (m.guildId !== undefined && !world.channels.has(m.channelId)) {
      // A channel created after the bot connected reaches it as CHANNEL_CREATE, as on Discord.
      world.channels.set(m.channelId, m.guildId);
      world.guilds.find((g) => g.id === m.guildId)?.channels.push(m.channelId);
      gateway.dispatch('CHANNEL_CREATE', world.wireChannel(m.channelId));
    }
    if (m.guildId === undefined && !world.channels.has(m.channelId)) world.channels.set(m.channelId, undefined);
    const author = world.user(m.authorId, m.authorName ?? `user${m.authorId.slice(-4)}`, m.authorBot);
    const mention = `<@${world.bot.id}>`;
    const content = m.mentionsBot && !m.content.includes(mention) ? `${mention} ${m.content}` : m.content;
    const attachments = (m.attachments ?? []).map((a) =>
      world.storeAttachment(m.channelId, a.filename, a.contentType ?? 'application/octet-stream', Buffer.from(a.data)));
    const wire = world.wireMessage({ id, channelId: m.channelId, author, content, mentions: m.mentionsBot ? [world.bot] : [], attachments });
    const event = m.guildId !== undefined
      ? { ...wire, guild_id: m.guildId, channel_type: 0, member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 } }
      : { ...wire, channel_type: 1 };
    gateway.dispatch('MESSAGE_CREATE', event);
    return id;
  };

  const waitFor = <T>(check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> => new Promise((resolve, reject) => {
    const attempt = (): boolean => {
      const value = check();
      if (value === undefined || value === null || value === false) return false;
      cleanup();
      resolve(value);
      return true;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`fake Discord: condition not met within ${timeoutMs} ms; calls: ${world.calls.map((c) => `${c.route} ${c.status}`).join(', ')}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      world.off('change', attempt);
    };
    world.on('change', attempt);
    attempt();
  });

  return {
    apiBase: `${world.baseUrl}/api`,
    token: world.token,
    bot: world.bot,
    guild: world.guilds[0] ?? guild,
    calls: world.calls,
    messages: world.messages,
    received: gateway.received,
    sessions: () => gateway.live,
    pushMessage,
    holdDownloads: () => {
      let release = () => undefined as void;
      world.downloadGate = new Promise<void>((resolve) => { release = resolve; });
      return () => {
        world.downloadGate = null;
        release();
      };
    },
    downloadsWaiting: () => world.downloadsWaiting,
    openDm: (channelId) => { world.channels.set(channelId, undefined); },
    failNext: (route, failure, times) => world.failNext(route, failure, times),
    dropConnections: () => gateway.drop(),
    setGatewayUrl: (url) => { gatewayOverride = url; },
    waitFor,
    callsTo: (route) => world.calls.filter((c) => c.route === route),
    close: async () => {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
