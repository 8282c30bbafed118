import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../../src/config/settings.js';
import { discordAdapter, type DiscordAdapterOptions } from '../../../src/channels/discord/adapter.js';
import type { ChannelAdapter, InboundMessage } from '../../../src/channels/types.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from './fake-discord.js';

/** The Discord adapter against a fake Discord speaking the real REST + gateway protocol. */

const INTENTS = { Guilds: 1 << 0, GuildMessages: 1 << 9, DirectMessages: 1 << 12, MessageContent: 1 << 15 };
const USER = '4200000000000000001';
const DM = '4300000000000000001';

let fake: FakeDiscord;
let adapters: ChannelAdapter[];
let logs: string[];

async function setup(fakeOpts: FakeDiscordOptions = {}): Promise<void> {
  fake = await startFakeDiscord(fakeOpts);
}

function adapter(opts: DiscordAdapterOptions & { token?: string; apiBase?: string; maxFileBytes?: number } = {}): ChannelAdapter {
  const settings = settingsSchema.parse({ discord_bot_token: opts.token ?? fake.token, discord_api_base_url: opts.apiBase ?? fake.apiBase });
  const a = discordAdapter({ settings, maxFileBytes: opts.maxFileBytes ?? 1024 * 1024, log: (m) => logs.push(m) }, opts);
  adapters.push(a);
  return a;
}

/** A started adapter and what it received. */
async function started(opts: Parameters<typeof adapter>[0] = {}): Promise<{ a: ChannelAdapter; inbox: InboundMessage[]; next: (n?: number) => Promise<InboundMessage> }> {
  const a = adapter(opts);
  const inbox: InboundMessage[] = [];
  await a.start((m) => inbox.push(m));
  const next = (n = inbox.length + 1) => waitUntil(() => inbox[n - 1]);
  return { a, inbox, next };
}

/** Waits for an adapter-side condition (the fake's waitFor only watches the fake). */
async function waitUntil<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeEach(() => {
  adapters = [];
  logs = [];
});

afterEach(async () => {
  for (const a of adapters) await a.stop();
  await fake?.close();
});

describe('discord adapter: connecting', () => {
  beforeEach(() => setup());

  it('connects over uncompressed JSON with the intents PocketPaw uses and answers within Discord limits', async () => {
    await started();
    const [session] = fake.sessions();
    expect(session?.query.get('v')).toBe('10');
    expect(session?.query.get('encoding')).toBe('json');
    expect(session?.query.has('compress')).toBe(false);
    const intents = session?.intents ?? 0;
    for (const bit of Object.values(INTENTS)) expect(intents & bit).toBe(bit);
    expect(fake.callsTo('GET /gateway/bot')).toHaveLength(1);
    expect(adapters[0]?.limits).toEqual({ maxChars: 2000, canEdit: true, editIntervalMs: 1200 });
  });

  it('takes the API address with or without the version (…/api or …/api/v10/)', async () => {
    await started({ apiBase: `${fake.apiBase}/v10/` });
    expect(fake.callsTo('GET /gateway/bot')).toHaveLength(1);
    expect(fake.sessions()).toHaveLength(1);
  });

  it('refuses a bad token with a plain message (REST answers 401)', async () => {
    await expect(adapter({ token: 'wrong-token' }).start(() => undefined)).rejects.toThrow('Discord rejected the bot token — check discord_bot_token');
    expect(fake.sessions()).toHaveLength(0);
  });

  it('refuses a bad token with the same message when only the gateway rejects it (close 4004)', async () => {
    await fake.close();
    await setup({ restAcceptsAnyToken: true });
    await expect(adapter({ token: 'wrong-token' }).start(() => undefined)).rejects.toThrow('Discord rejected the bot token — check discord_bot_token');
    expect(fake.received.some((r) => r.op === 2)).toBe(true);
    expect(fake.sessions()).toHaveLength(0);
  });

  it('gives up on a gateway that cannot be reached, within the configured timeout', async () => {
    fake.setGatewayUrl('ws://127.0.0.1:9/gateway');
    const t0 = Date.now();
    await expect(adapter({ readyTimeoutMs: 700 }).start(() => undefined)).rejects.toThrow(/gateway did not answer within/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('says so when the API itself cannot be reached', async () => {
    await expect(adapter({ apiBase: 'http://127.0.0.1:9/api', readyTimeoutMs: 3000 }).start(() => undefined)).rejects.toThrow(/Could not reach Discord at http:\/\/127\.0\.0\.1:9\/api/);
  });

  it('keeps the connection alive: heartbeats are sent and acknowledged', async () => {
    await fake.close();
    await setup({ heartbeatIntervalMs: 100 });
    await started();
    const session = fake.sessions()[0];
    await fake.waitFor(() => fake.received.filter((r) => r.op === 1).length >= 3);
    // Without ACKs discord.js would close this connection as a zombie and open another.
    expect(fake.sessions()).toEqual([session]);
  });
});

describe('discord adapter: a dropped gateway connection', () => {
  beforeEach(() => setup());

  it('resumes the session by itself and receives what was sent meanwhile', async () => {
    const { next } = await started();
    const before = fake.sessions()[0]?.sessionId;
    fake.dropConnections();
    await fake.waitFor(() => fake.sessions().length === 0);
    fake.pushMessage({ channelId: DM, authorId: USER, content: 'sent while you were away' });
    expect((await next()).text).toBe('sent while you were away');
    expect(fake.received.filter((r) => r.op === 6)).toHaveLength(1);
    expect(fake.received.filter((r) => r.op === 2)).toHaveLength(1);
    expect(fake.sessions()[0]?.sessionId).toBe(before);
  });
});

describe('discord adapter: inbound', () => {
  beforeEach(() => setup());

  it('passes a direct message with chat, sender and name, and no guild', async () => {
    const { next } = await started();
    fake.pushMessage({ channelId: DM, authorId: USER, authorName: 'alice', content: 'hello paw' });
    expect(await next()).toEqual({ chatId: DM, senderId: USER, senderName: 'alice', groupId: undefined, text: 'hello paw' });
  });

  it('in a server channel reads only messages that mention the bot, without the mention', async () => {
    const { inbox, next } = await started();
    const channel = fake.guild.channels[0]!;
    fake.pushMessage({ channelId: channel, guildId: fake.guild.id, authorId: USER, content: 'just chatting' });
    fake.pushMessage({ channelId: channel, guildId: fake.guild.id, authorId: USER, authorName: 'bob', content: 'what time is it?', mentionsBot: true });
    const m = await next();
    expect(m).toEqual({ chatId: channel, senderId: USER, senderName: 'bob', groupId: fake.guild.id, text: 'what time is it?' });
    expect(inbox).toHaveLength(1);
  });

  it('ignores other bots and its own messages echoed by the gateway', async () => {
    const { a, inbox, next } = await started();
    fake.pushMessage({ channelId: DM, authorId: '4200000000000000099', authorBot: true, content: 'beep' });
    await a.send(DM, 'my own reply');
    // Discord echoes the bot's message as MESSAGE_CREATE; the sentinel arrives after both.
    fake.pushMessage({ channelId: DM, authorId: USER, content: 'sentinel' });
    expect((await next()).text).toBe('sentinel');
    expect(inbox.map((m) => m.text)).toEqual(['sentinel']);
  });

  it('downloads attachments into files and skips one over the size limit', async () => {
    const { next } = await started({ maxFileBytes: 1000 });
    fake.pushMessage({
      channelId: DM, authorId: USER, content: 'see files',
      attachments: [
        { filename: 'notes.txt', contentType: 'text/plain', data: 'small file' },
        { filename: 'big.bin', contentType: 'application/octet-stream', data: Buffer.alloc(5000, 1) },
      ],
    });
    const m = await next();
    expect(m.text).toBe('see files');
    expect(m.files).toHaveLength(1);
    expect(m.files?.[0]?.name).toBe('notes.txt');
    expect(m.files?.[0]?.mime).toBe('text/plain');
    expect(Buffer.from(m.files![0]!.data).toString()).toBe('small file');
    expect(fake.callsTo('GET /attachments')).toHaveLength(1);
    expect(logs.some((l) => l.includes('big.bin') && l.includes('1000-byte limit'))).toBe(true);
  });

  it('passes a message with only an attachment (empty text)', async () => {
    const { next } = await started();
    fake.pushMessage({ channelId: DM, authorId: USER, content: '', attachments: [{ filename: 'a.png', contentType: 'image/png', data: Buffer.from([0x89, 0x50]) }] });
    const m = await next();
    expect(m.text).toBe('');
    expect(m.files?.[0]?.data).toEqual(new Uint8Array([0x89, 0x50]));
  });
});

describe('discord adapter: outbound', () => {
  beforeEach(async () => {
    await setup();
    fake.openDm(DM);
  });

  it('sends text and edits it (POST then PATCH), never pinging @everyone', async () => {
    const { a } = await started();
    const sent = await a.send(DM, 'first words');
    await a.edit(sent, 'first words and more');
    const stored = fake.messages.get(sent.messageId);
    expect(stored?.channelId).toBe(DM);
    expect(stored?.content).toBe('first words and more');
    expect(stored?.edits).toEqual(['first words and more']);
    const post = fake.callsTo('POST /channels/:id/messages')[0];
    expect(post?.json).toMatchObject({ content: 'first words', allowed_mentions: { parse: ['users'] } });
    expect(fake.callsTo('PATCH /channels/:id/messages/:mid')[0]?.path).toBe(`/channels/${DM}/messages/${sent.messageId}`);
  });

  it('sends a file as multipart (payload_json + files[0]) with its name and type', async () => {
    const { a } = await started();
    const data = new TextEncoder().encode('report body');
    const sent = await a.sendFile(DM, { name: 'report.txt', mime: 'text/plain', data });
    const call = fake.callsTo('POST /channels/:id/messages')[0];
    expect(call?.json).toMatchObject({ attachments: [{ id: 0, filename: 'report.txt' }] });
    expect(call?.files).toHaveLength(1);
    expect(call?.files[0]).toMatchObject({ field: 'files[0]', name: 'report.txt', type: 'text/plain' });
    expect(call?.files[0]?.data.toString()).toBe('report body');
    expect(fake.messages.get(sent.messageId)?.attachments[0]?.filename).toBe('report.txt');
  });

  it('shows typing', async () => {
    const { a } = await started();
    await a.typing!(DM);
    expect(fake.callsTo('POST /channels/:id/typing')[0]?.path).toBe(`/channels/${DM}/typing`);
  });

  it('waits out a 429 for retry_after and then sends', async () => {
    const { a } = await started();
    fake.failNext('POST /channels/:id/messages', { status: 429, retry_after: 0.2 });
    const sent = await a.send(DM, 'after the limit');
    const calls = fake.callsTo('POST /channels/:id/messages');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(200);
    expect(fake.messages.get(sent.messageId)?.content).toBe('after the limit');
    expect(logs.some((l) => l.includes('rate limit'))).toBe(true);
  });

  it('retries a 5xx, and gives up after the configured retries', async () => {
    const { a } = await started({ restRetries: 2 });
    fake.failNext('PATCH /channels/:id/messages/:mid', { status: 502 }, 2);
    const sent = await a.send(DM, 'v1');
    await a.edit(sent, 'v2');
    expect(fake.callsTo('PATCH /channels/:id/messages/:mid').map((c) => c.status)).toEqual([502, 502, 200]);
    expect(fake.messages.get(sent.messageId)?.content).toBe('v2');

    fake.failNext('POST /channels/:id/messages', { status: 500 }, 3);
    await expect(a.send(DM, 'lost')).rejects.toThrow();
    expect(fake.callsTo('POST /channels/:id/messages').map((c) => c.status)).toEqual([200, 500, 500, 500]);
  });

  it('rejects a send to an unknown channel with Discord\'s error', async () => {
    const { a } = await started();
    await expect(a.send('4399999999999999999', 'x')).rejects.toThrow(/Unknown Channel/);
  });
});

describe('discord adapter: stop and start', () => {
  beforeEach(() => setup());

  it('stops promptly, drops what arrives meanwhile, and starts again delivering each message once', async () => {
    let phase: 'first' | 'stopped' | 'second' = 'first';
    const seen: { text: string; phase: string }[] = [];
    const a = adapter();
    const onMessage = (m: InboundMessage) => seen.push({ text: m.text, phase });
    await a.start(onMessage);

    // A message still being read (its attachment downloading) when stop is called.
    const release = fake.holdDownloads();
    fake.pushMessage({ channelId: DM, authorId: USER, content: 'in flight', attachments: [{ filename: 'x.txt', data: 'x' }] });
    await fake.waitFor(() => fake.downloadsWaiting() === 1);
    const t0 = Date.now();
    await a.stop();
    phase = 'stopped';
    expect(Date.now() - t0).toBeLessThan(1000);
    release();
    await fake.waitFor(() => fake.callsTo('GET /attachments').length === 1);
    await fake.waitFor(() => fake.sessions().length === 0);
    await expect(a.send(DM, 'nobody home')).rejects.toThrow('Discord is not connected');
    fake.pushMessage({ channelId: DM, authorId: USER, content: 'while stopped' });

    await a.start(onMessage);
    phase = 'second';
    expect(fake.sessions()).toHaveLength(1);
    fake.pushMessage({ channelId: DM, authorId: USER, content: 'after restart' });
    await waitUntil(() => seen.find((s) => s.text === 'after restart'));
    await a.send(DM, 'still talking');

    expect(seen.filter((s) => s.phase === 'stopped')).toEqual([]);
    expect(seen.filter((s) => s.text === 'after restart')).toHaveLength(1);
    expect(seen.some((s) => s.text === 'while stopped')).toBe(false);
    expect(fake.callsTo('GET /gateway/bot')).toHaveLength(2);
  });

  it('stop during start makes start reject', async () => {
    fake.setGatewayUrl('ws://127.0.0.1:9/gateway');
    const a = adapter({ readyTimeoutMs: 10_000 });
    const starting = a.start(() => undefined);
    await fake.waitFor(() => fake.callsTo('GET /gateway/bot').length > 0);
    await a.stop();
    await expect(starting).rejects.toThrow('stopped while connecting');
  });
});
