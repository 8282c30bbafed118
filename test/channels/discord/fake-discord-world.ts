import { EventEmitter } from 'node:events';

/**
 * The fake Discord's state, shared by its REST side and its gateway: the bot, guilds, channels,
 * messages and stored attachments, plus what tests look at (recorded calls, queued failures).
 * Objects are built in Discord's v10 wire shape, since discord.js parses them as it would real ones.
 */

export interface FakeGuild {
  id: string;
  name: string;
  /** Text channel ids in this guild. */
  channels: string[];
}

export interface RecordedFile {
  /** The multipart field, `files[0]`, … */
  field: string;
  name: string;
  type: string;
  data: Buffer;
}

export interface RecordedCall {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/1/messages`. */
  path: string;
  /** The route template, e.g. `POST /channels/:id/messages`. */
  route: string;
  /** The JSON body, or the multipart `payload_json`. */
  json?: Record<string, unknown>;
  files: RecordedFile[];
  /** The status the fake answered with. */
  status: number;
  at: number;
}

export interface Failure {
  status: number;
  /** Seconds, for 429: sent as `Retry-After`, `X-RateLimit-Reset-After` and the body's `retry_after`. */
  retry_after?: number;
  global?: boolean;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  content: string;
  attachments: { id: string; filename: string; content_type: string; size: number }[];
  edits: string[];
}

export interface WireUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

let snowflakeCounter = 0n;
/** Snowflake-looking ids (large, increasing decimal strings), like Discord's. */
export function snowflake(): string {
  snowflakeCounter += 1n;
  return String(1_300_000_000_000_000_000n + snowflakeCounter);
}

export class FakeWorld extends EventEmitter {
  readonly bot: WireUser;
  readonly applicationId = snowflake();
  readonly guilds: FakeGuild[];
  /** Channel id → guild id; DM channels map to undefined. */
  readonly channels = new Map<string, string | undefined>();
  /** Messages the bot sent, by id, with every edit. */
  readonly messages = new Map<string, StoredMessage>();
  /** Files served under `/attachments/...`, by path. */
  readonly files = new Map<string, { data: Buffer; type: string }>();
  readonly calls: RecordedCall[] = [];
  private readonly failures = new Map<string, Failure[]>();
  baseUrl = '';
  /** While set, attachment downloads wait for it (a test holds a message mid-read). */
  downloadGate: Promise<void> | null = null;
  downloadsWaiting = 0;

  constructor(readonly token: string, botName: string, guilds: FakeGuild[]) {
    super();
    this.setMaxListeners(0);
    this.bot = { id: snowflake(), username: botName, discriminator: '0', global_name: null, avatar: null, bot: true };
    this.guilds = guilds;
    for (const g of guilds) for (const c of g.channels) this.channels.set(c, g.id);
  }

  /** Something happened: `waitFor` re-checks its condition. */
  changed(): void {
    this.emit('change');
  }

  failNext(route: string, failure: Failure, times = 1): void {
    const queue = this.failures.get(route) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.failures.set(route, queue);
  }

  takeFailure(route: string): Failure | undefined {
    return this.failures.get(route)?.shift();
  }

  record(call: Omit<RecordedCall, 'at'>): void {
    this.calls.push({ ...call, at: Date.now() });
    this.changed();
  }

  user(id: string, username: string, bot = false): WireUser {
    return { id, username, discriminator: '0', global_name: username, avatar: null, ...(bot ? { bot: true } : {}) };
  }

  /** A text channel (type 0) in its guild, or a DM (type 1) with the given recipient. */
  wireChannel(id: string, recipient?: WireUser): Record<string, unknown> {
    const guildId = this.channels.get(id);
    if (guildId !== undefined) {
      return { id, type: 0, guild_id: guildId, name: `channel-${id.slice(-4)}`, position: 0, permission_overwrites: [], nsfw: false, parent_id: null, last_message_id: null, rate_limit_per_user: 0, topic: null };
    }
    return { id, type: 1, last_message_id: null, recipients: recipient ? [recipient] : [], flags: 0 };
  }

  /** The GUILD_CREATE payload: the guild, its @everyone role and its text channels. */
  wireGuild(g: FakeGuild): Record<string, unknown> {
    return {
      id: g.id, name: g.name, icon: null, splash: null, discovery_splash: null, owner_id: snowflake(),
      afk_channel_id: null, afk_timeout: 300, verification_level: 0, default_message_notifications: 0,
      explicit_content_filter: 0, features: [], mfa_level: 0, application_id: null, system_channel_id: null,
      system_channel_flags: 0, rules_channel_id: null, vanity_url_code: null, description: null, banner: null,
      premium_tier: 0, preferred_locale: 'en-US', public_updates_channel_id: null, nsfw_level: 0,
      premium_progress_bar_enabled: false, emojis: [], stickers: [],
      roles: [{ id: g.id, name: '@everyone', color: 0, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: '1071698660929', managed: false, mentionable: false, flags: 0 }],
      joined_at: new Date().toISOString(), large: false, unavailable: false, member_count: 2,
      voice_states: [], members: [], threads: [], presences: [], stage_instances: [], guild_scheduled_events: [],
      channels: g.channels.map((c) => this.wireChannel(c)),
    };
  }

  /** A message in Discord's wire shape, as REST returns it and MESSAGE_CREATE carries it. */
  wireMessage(m: {
    id: string; channelId: string; author: WireUser; content: string; mentions: WireUser[];
    attachments: { id: string; filename: string; content_type: string; size: number }[]; edited?: boolean;
  }): Record<string, unknown> {
    const base = `${this.baseUrl}/attachments/${m.channelId}`;
    return {
      id: m.id, channel_id: m.channelId, author: m.author, content: m.content, timestamp: new Date().toISOString(),
      edited_timestamp: m.edited ? new Date().toISOString() : null, tts: false, mention_everyone: false,
      mentions: m.mentions, mention_roles: [], embeds: [], pinned: false, type: 0, flags: 0, components: [],
      attachments: m.attachments.map((a) => ({ ...a, url: `${base}/${a.id}/${a.filename}`, proxy_url: `${base}/${a.id}/${a.filename}` })),
    };
  }

  /** Keeps a file so `GET /attachments/<channel>/<id>/<name>` serves it; returns its attachment object. */
  storeAttachment(channelId: string, filename: string, type: string, data: Buffer): StoredMessage['attachments'][number] {
    const id = snowflake();
    this.files.set(`/attachments/${channelId}/${id}/${filename}`, { data, type });
    return { id, filename, content_type: type, size: data.length };
  }
}
