import { describe, expect, it } from 'vitest';
import { ReplyStream, splitMessage } from '../../src/channels/reply-stream.js';
import { notifyTarget } from '../../src/channels/notify.js';
import { settingsSchema } from '../../src/config/settings.js';
import type { ChannelAdapter, ChannelLimits, SentMessage } from '../../src/channels/types.js';

/** A platform that records what it was asked to show; `fail` makes its next calls throw. */
function platform(limits: ChannelLimits) {
  const messages = new Map<string, string>();
  const calls: string[] = [];
  let failures = 0;
  let n = 0;
  const adapter: ChannelAdapter = {
    limits,
    start: async () => undefined,
    stop: async () => undefined,
    send: async (chatId, text) => {
      calls.push(`send ${text}`);
      if (failures > 0 && failures--) throw new Error('429 Too Many Requests');
      const id = String(++n);
      messages.set(id, text);
      return { chatId, messageId: id };
    },
    edit: async (m: SentMessage, text) => {
      calls.push(`edit ${m.messageId} ${text}`);
      if (text.length > limits.maxChars) throw new Error('message too long');
      messages.set(m.messageId, text);
    },
    sendFile: async (chatId) => ({ chatId, messageId: 'f' }),
  };
  return { adapter, messages, calls, failNext: (k: number) => (failures = k) };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('splitMessage', () => {
  it('breaks at paragraphs, lines or words near the limit, never inside a surrogate pair, and loses no text', () => {
    const text = `${'a'.repeat(60)}\n\n${'b'.repeat(30)} ${'c'.repeat(50)}`;
    const parts = splitMessage(text, 80);
    expect(parts[0]).toBe('a'.repeat(60));
    expect(parts.every((p) => p.length <= 80)).toBe(true);
    expect(parts.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    const emoji = '😀'.repeat(50); // 100 UTF-16 units, no spaces
    const cut = splitMessage(emoji, 9);
    expect(cut.join('')).toBe(emoji);
    expect(cut.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });
});

describe('ReplyStream: a streamed answer on a platform', () => {
  it('sends the first words at once, then edits no more often than the interval, ending with the whole answer', async () => {
    const p = platform({ maxChars: 1000, canEdit: true, editIntervalMs: 60 });
    const reply = new ReplyStream(p.adapter, 'c1', () => undefined);
    reply.push('Hello');
    await tick(5);
    expect(p.calls).toEqual(['send Hello']);
    for (const w of [' there', ',', ' how', ' are', ' you?']) reply.push(w);
    await tick(5);
    expect(p.calls).toHaveLength(1); // the interval has not passed
    await tick(80);
    expect(p.calls).toEqual(['send Hello', 'edit 1 Hello there, how are you?']);
    await reply.finish();
    expect([...p.messages.values()]).toEqual(['Hello there, how are you?']);
    expect(reply.firstSentAt).not.toBeNull();
  });

  it('the last edit keeps the interval too: finishing right after an edit waits for it', async () => {
    const p = platform({ maxChars: 1000, canEdit: true, editIntervalMs: 150 });
    const times: number[] = [];
    const edit = p.adapter.edit.bind(p.adapter);
    p.adapter.edit = async (m, text) => {
      times.push(Date.now());
      return edit(m, text);
    };
    const reply = new ReplyStream(p.adapter, 'c1', () => undefined);
    const sentAt = Date.now();
    reply.push('one');
    reply.push(' two');
    await reply.finish();
    expect([...p.messages.values()]).toEqual(['one two']);
    expect(times[0]! - sentAt).toBeGreaterThanOrEqual(140);
  });

  it('continues past the length limit in a new message; every message is within the limit and the text is complete', async () => {
    const p = platform({ maxChars: 50, canEdit: true, editIntervalMs: 1 });
    const reply = new ReplyStream(p.adapter, 'c1', () => undefined);
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`);
    for (const w of words) {
      reply.push(`${w} `);
      await tick(2);
    }
    await reply.finish();
    const shown = [...p.messages.values()];
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.every((t) => t.length <= 50)).toBe(true);
    expect(shown.join(' ').split(/\s+/).filter(Boolean)).toEqual(words);
  });

  it('on a platform that cannot edit, the answer is sent once, whole (split if long)', async () => {
    const p = platform({ maxChars: 20, canEdit: false, editIntervalMs: 0 });
    const reply = new ReplyStream(p.adapter, 'c1', () => undefined);
    reply.push('one two three ');
    reply.push('four five six seven');
    await tick(5);
    expect(p.calls).toEqual([]);
    await reply.finish();
    expect(p.calls.every((c) => c.startsWith('send '))).toBe(true);
    expect([...p.messages.values()].join(' ')).toBe('one two three four five six seven');
  });

  it('a platform error loses nothing: the next flush sends the whole text again', async () => {
    const p = platform({ maxChars: 1000, canEdit: true, editIntervalMs: 10 });
    const logged: string[] = [];
    const reply = new ReplyStream(p.adapter, 'c1', (m) => logged.push(m));
    p.failNext(1);
    reply.push('first');
    await tick(5);
    reply.push(' second');
    await reply.finish();
    expect(logged[0]).toMatch(/could not deliver to c1: 429/);
    expect([...p.messages.values()]).toEqual(['first second']);
  });
});

describe('notifyTarget: where a reminder or an intention result goes', () => {
  const s = settingsSchema.parse({ allowed_user_id: 42, notify_channel: 'telegram' });
  it('back to the channel chat it was made in; else notify_channel (bare: the owner\'s chat); else nowhere', () => {
    expect(notifyTarget(s, 'discord:999')).toEqual({ channel: 'discord', chatId: '999' });
    expect(notifyTarget(s, 'websocket:abc')).toEqual({ channel: 'telegram', chatId: '42' });
    expect(notifyTarget(s)).toEqual({ channel: 'telegram', chatId: '42' });
    expect(notifyTarget({ ...s, notify_channel: 'slack:C1' })).toEqual({ channel: 'slack', chatId: 'C1' });
    expect(notifyTarget({ ...s, notify_channel: '' }, 'websocket:abc')).toBeNull();
    expect(notifyTarget({ ...s, notify_channel: 'icq' })).toBeNull();
  });
});
