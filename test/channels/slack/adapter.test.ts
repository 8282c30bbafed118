import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSlackAdapter, SLACK_TUNING, type SlackTuning } from '../../../src/channels/slack/adapter.js';
import type { ChannelAdapter, InboundMessage } from '../../../src/channels/types.js';
import { settingsSchema } from '../../../src/config/settings.js';
import { APP_TOKEN, BOT_TOKEN, BOT_USER_ID, startFakeSlack, TEAM_ID, type FakeSlack } from './fake-slack.js';

/** Real timings, shortened: backoff in milliseconds, a reconnect after 1 s. */
const FAST: SlackTuning = {
  ...SLACK_TUNING,
  retry: { retries: 3, factor: 1, minTimeout: 20, maxTimeout: 50, randomize: false },
  clientPingTimeoutMs: 1000,
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 5_000,
};

let fake: FakeSlack;
let adapter: ChannelAdapter | null = null;
let logs: string[];

function makeAdapter(overrides: Record<string, unknown> = {}, maxFileBytes = 1024 * 1024): ChannelAdapter {
  const settings = settingsSchema.parse({ slack_bot_token: BOT_TOKEN, slack_app_token: APP_TOKEN, slack_api_base_url: fake.apiUrl, ...overrides });
  adapter = buildSlackAdapter({ settings, maxFileBytes, log: (m) => logs.push(m) }, FAST);
  return adapter;
}

/** Starts the adapter; `next()` resolves with the next inbound message. */
async function started(a: ChannelAdapter) {
  const queue: InboundMessage[] = [];
  const waiters: Array<(m: InboundMessage) => void> = [];
  await a.start((m) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return {
    received: queue,
    next: () => new Promise<InboundMessage>((resolve, reject) => {
      const m = queue.shift();
      if (m) return resolve(m);
      const timer = setTimeout(() => reject(new Error('no inbound message')), 5_000);
      waiters.push((x) => {
        clearTimeout(timer);
        resolve(x);
      });
    }),
  };
}

beforeEach(async () => {
  logs = [];
  fake = await startFakeSlack();
});

afterEach(async () => {
  await adapter?.stop();
  adapter = null;
  await fake.close();
});

describe('Slack adapter', () => {
  it('connects over Socket Mode through the configured base URL, and receives a DM', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    // Both clients went to the fake: bolt's (auth.test) and the Socket Mode client's.
    expect(fake.calls.find((c) => c.method === 'auth.test')?.auth).toBe(BOT_TOKEN);
    expect(fake.calls.find((c) => c.method === 'apps.connections.open')?.auth).toBe(APP_TOKEN);
    expect(fake.openSockets()).toBe(1);

    const env = fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: 'U0USER001', text: 'hello &lt;there&gt; &amp; you' });
    const m = await inbox.next();
    expect(m).toEqual({ chatId: 'D0DM00001', senderId: 'U0USER001', groupId: TEAM_ID, text: 'hello <there> & you' });
    await fake.waitForAck(env);
  });

  it('strips its own mention from an app_mention, keeps other mentions, and answers in the thread', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    const env = fake.pushMention('C0CHAN001', 'U0USER001', 'ask <@U0OTHER01> about it', { ts: '1700000500.000200' });
    const m = await inbox.next();
    expect(m.text).toBe('ask <@U0OTHER01> about it');
    expect(m.chatId).toBe('C0CHAN001');
    await fake.waitForAck(env);

    const sent = await a.send('C0CHAN001', 'on **it**, see [docs](https://example.com/a?b=1&c=2)');
    expect(sent.chatId).toBe('C0CHAN001');
    const posted = fake.messages.find((x) => x.ts === sent.messageId);
    // PocketPaw replies in the thread of the message it answers, in Slack's mrkdwn.
    expect(posted).toMatchObject({ channel: 'C0CHAN001', thread_ts: '1700000500.000200', text: 'on *it*, see <https://example.com/a?b=1&amp;c=2|docs>' });
  });

  it('ignores bot messages, its own, channel chatter and edits, but still acks them', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    const ignored = [
      fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: 'U0OTHERBT', bot_id: 'B0OTHER01', text: 'I am a bot' }),
      fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: BOT_USER_ID, text: 'my own words' }),
      fake.pushMessage({ channel: 'C0CHAN001', channel_type: 'channel', user: 'U0USER001', text: 'not for the bot' }),
      fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', subtype: 'message_changed', user: 'U0USER001', text: 'edited' }),
    ];
    const real = fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: 'U0USER001', text: 'the real one' });
    expect((await inbox.next()).text).toBe('the real one');
    for (const id of [...ignored, real]) await fake.waitForAck(id);
    expect(inbox.received).toEqual([]);
  });

  it('sends, then edits the same message (chat.update)', async () => {
    const a = makeAdapter();
    await started(a);
    const sent = await a.send('D0DM00001', 'Hel');
    await a.edit(sent, 'Hello, world');
    const posted = fake.messages.find((x) => x.ts === sent.messageId);
    expect(posted?.history).toEqual(['Hel', 'Hello, world']);
    expect(a.limits).toEqual({ maxChars: 3900, canEdit: true, editIntervalMs: 1100 });
  });

  it('downloads a shared file with the bot token, within the size limit', async () => {
    const a = makeAdapter({}, 64);
    const inbox = await started(a);
    const small = fake.addFile('notes.txt', 'text/plain', Buffer.from('file body'));
    const big = fake.addFile('big.bin', 'application/octet-stream', Buffer.alloc(65, 1));
    fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', subtype: 'file_share', user: 'U0USER001', text: 'see attached', files: [small, big] });
    const m = await inbox.next();
    expect(m.files).toHaveLength(1);
    expect(m.files?.[0]?.name).toBe('notes.txt');
    expect(m.files?.[0]?.mime).toBe('text/plain');
    expect(Buffer.from(m.files?.[0]?.data ?? []).toString()).toBe('file body');
    expect(m.text).toContain('see attached');
    expect(m.text).toContain('[big.bin: not downloaded');
  });

  it('never sends the bot token to a file URL outside Slack', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    fake.pushMessage({
      channel: 'D0DM00001', channel_type: 'im', subtype: 'file_share', user: 'U0USER001', text: 'look',
      files: [{ name: 'x.txt', url_private: 'http://127.0.0.2:9/steal' }],
    });
    const m = await inbox.next();
    expect(m.files).toBeUndefined();
    expect(logs.some((l) => l.includes('not on a Slack host'))).toBe(true);
  });

  it('uploads a file through the external upload flow, in the thread', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: 'U0USER001', text: 'send me a file', ts: '1700000600.000300' });
    await inbox.next();
    const sent = await a.sendFile('D0DM00001', { name: 'report.txt', mime: 'text/plain', data: Buffer.from('report body') });
    const up = fake.uploads.get(sent.messageId);
    expect(up).toMatchObject({ filename: 'report.txt', completed: true, channel_id: 'D0DM00001', thread_ts: '1700000600.000300' });
    expect(up?.data?.toString()).toBe('report body');
  });

  it('waits out a 429 Retry-After and retries; retries a 500', async () => {
    const a = makeAdapter();
    await started(a);
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const t0 = Date.now();
    const sent = await a.send('D0DM00001', 'after the limit');
    const attempts = fake.calls.filter((c) => c.method === 'chat.postMessage');
    expect(attempts).toHaveLength(2);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(fake.messages.find((m) => m.ts === sent.messageId)?.text).toBe('after the limit');

    fake.failNext('chat.update', { status: 500 }, 2);
    await a.edit(sent, 'edited after two 500s');
    expect(fake.calls.filter((c) => c.method === 'chat.update')).toHaveLength(3);
    expect(fake.messages.find((m) => m.ts === sent.messageId)?.text).toBe('edited after two 500s');
  });

  it('reconnects when Slack asks it to (disconnect envelope)', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    fake.sendDisconnect();
    await fake.waitForConnection(2);
    const env = fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: 'U0USER001', text: 'still there?' });
    expect((await inbox.next()).text).toBe('still there?');
    await fake.waitForAck(env);
  });

  it('stop closes the socket at once, a turn still running fails its calls, and start works again', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: 'U0USER001', text: 'first', ts: '1700000700.000100' });
    await inbox.next();
    const sent = await a.send('D0DM00001', 'thinking…');

    const t0 = Date.now();
    await a.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    await fake.waitForSocketsClosed();
    await expect(a.edit(sent, 'too late')).rejects.toThrow(/not running/);

    const again = await started(a);
    expect(fake.connections()).toBe(2);
    fake.pushMessage({ channel: 'D0DM00001', channel_type: 'im', user: 'U0USER001', text: 'second' });
    expect((await again.next()).text).toBe('second');
    const reply = await a.send('D0DM00001', 'back');
    expect(fake.messages.find((m) => m.ts === reply.messageId)?.text).toBe('back');
  });

  it('refuses a bad bot token or a bad app token plainly', async () => {
    const badBot = makeAdapter({ slack_bot_token: 'xoxb-wrong' });
    await expect(badBot.start(() => {})).rejects.toThrow('Slack rejected the token — check slack_bot_token / slack_app_token (xapp-…) (invalid_auth)');
    expect(fake.openSockets()).toBe(0);

    const badApp = makeAdapter({ slack_app_token: 'xapp-1-wrong' });
    await expect(badApp.start(() => {})).rejects.toThrow('Slack rejected the token — check slack_bot_token / slack_app_token (xapp-…) (invalid_auth)');
    expect(fake.openSockets()).toBe(0);

    // A bot token where the app token belongs is the usual mistake; Slack would keep refusing it.
    const swapped = makeAdapter({ slack_app_token: BOT_TOKEN });
    await expect(swapped.start(() => {})).rejects.toThrow(/^Slack rejected the token .*must be the app-level token/);
    expect(fake.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(1);
    expect(logs.join('\n')).not.toContain(BOT_TOKEN);
  });
});
