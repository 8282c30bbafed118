import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_REJECTED } from '../../../src/channels/telegram/adapter.js';
import { FakeTelegram } from './fake-telegram.js';
import { adapterFor } from './harness.js';

/** The Telegram adapter when Telegram pushes back: rate limits, server errors, outages, restarts, bad tokens. */

let fake: FakeTelegram;

beforeAll(async () => {
  fake = await FakeTelegram.start();
});
afterAll(() => fake.close());

describe('platform errors', () => {
  it('429: waits the retry_after Telegram asked for, then sends once', async () => {
    const { adapter, inbox } = adapterFor(fake);
    await adapter.start(inbox.push);
    try {
      fake.failNext('sendMessage', { error_code: 429, retry_after: 1 });
      const from = fake.calls.length;
      const t0 = performance.now();
      const sent = await adapter.send('31', 'after the pause');
      const elapsed = performance.now() - t0;
      const attempts = fake.calls.slice(from).filter((c) => c.method === 'sendMessage');
      expect(attempts.map((c) => c.failed)).toEqual([429, undefined]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(3000);
      expect(fake.sent.get(`31:${sent.messageId}`)?.text).toBe('after the pause');
    } finally {
      await adapter.stop();
    }
  });

  it('429 asking for more than the cap fails at once instead of hanging the answer', async () => {
    const { adapter, inbox } = adapterFor(fake, { tuning: { maxRetryAfterMs: 2000 } });
    await adapter.start(inbox.push);
    try {
      fake.failNext('editMessageText', { error_code: 429, retry_after: 60 });
      const sent = await adapter.send('32', 'a');
      const t0 = performance.now();
      await expect(adapter.edit(sent, 'ab')).rejects.toThrow(/429/);
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      await adapter.stop();
    }
  });

  it('5xx and dropped connections are retried with backoff; after the last retry the call fails', async () => {
    const { adapter, inbox } = adapterFor(fake);
    await adapter.start(inbox.push);
    try {
      fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 2);
      fake.failNext('sendMessage', { network: true });
      let from = fake.calls.length;
      const sent = await adapter.send('33', 'eventually');
      expect(fake.calls.slice(from).filter((c) => c.method === 'sendMessage').map((c) => c.failed)).toEqual([502, 502, 'network', undefined]);
      expect(fake.sent.get(`33:${sent.messageId}`)?.text).toBe('eventually');

      fake.failNext('sendMessage', { error_code: 500 }, 4);
      from = fake.calls.length;
      await expect(adapter.send('33', 'never')).rejects.toThrow(/500/);
      // One attempt and three retries (tuning.retries), no more.
      expect(fake.calls.slice(from).filter((c) => c.method === 'sendMessage')).toHaveLength(4);
    } finally {
      await adapter.stop();
    }
  });

  it('a 400 is not retried', async () => {
    const { adapter, inbox } = adapterFor(fake);
    await adapter.start(inbox.push);
    try {
      const from = fake.calls.length;
      await expect(adapter.send('34', '   ')).rejects.toThrow(/message text is empty/);
      expect(fake.calls.slice(from).filter((c) => c.method === 'sendMessage')).toHaveLength(1);
    } finally {
      await adapter.stop();
    }
  });
});

describe('polling', () => {
  it('survives an outage: failures are logged without the token, polling backs off and resumes', async () => {
    const { adapter, inbox, logs } = adapterFor(fake);
    await adapter.start(inbox.push);
    try {
      fake.pushMessage({ chatId: 41, fromId: 41, text: 'before' });
      await inbox.waitForCount(1);
      const from = fake.calls.length;
      fake.setOutage(true);
      // Several failed polls, spaced by the growing backoff.
      await fake.waitFor('getUpdates', (c) => c.failed === 'network', { from });
      await fake.waitFor('getUpdates', (c) => c.failed === 'network', { from: fake.calls.length });
      await fake.waitFor('getUpdates', (c) => c.failed === 'network', { from: fake.calls.length });
      fake.setOutage(false);
      fake.pushMessage({ chatId: 41, fromId: 41, text: 'after' });
      const got = await inbox.waitForCount(2);
      expect(got.map((m) => m.text)).toEqual(['before', 'after']);
      const failures = logs.filter((l) => l.startsWith('Telegram polling failed'));
      expect(failures.length).toBeGreaterThanOrEqual(3);
      expect(logs).toContain('Telegram polling works again');
      // The token is in every request URL; no log line may carry it.
      const secretPart = fake.token.split(':')[1]!;
      for (const line of logs) expect(line).not.toContain(secretPart);
    } finally {
      await adapter.stop();
    }
  });

  it('stop and start while messages arrive: each is delivered once, in order; stop does not wait for the long poll', async () => {
    // A long poll of 20 s: stop() must abort it rather than wait it out.
    const { adapter, inbox } = adapterFor(fake, { tuning: { pollTimeoutSec: 20 } });
    await adapter.start(inbox.push);
    const texts = Array.from({ length: 12 }, (_, i) => `m${i}`);
    for (const text of texts.slice(0, 4)) fake.pushMessage({ chatId: 51, fromId: 51, text });
    await inbox.waitForCount(2);
    const t0 = performance.now();
    await adapter.stop();
    expect(performance.now() - t0).toBeLessThan(1500);
    for (const text of texts.slice(4, 8)) fake.pushMessage({ chatId: 51, fromId: 51, text });
    await adapter.start(inbox.push);
    for (const text of texts.slice(8)) fake.pushMessage({ chatId: 51, fromId: 51, text });
    await inbox.waitForCount(12);
    expect(inbox.items.map((m) => m.text)).toEqual(texts);
    await adapter.stop();

    // A fresh adapter (the channel restarted) gets only what is new: the old ones were confirmed.
    const next = adapterFor(fake, { tuning: { pollTimeoutSec: 20 } });
    await next.adapter.start(next.inbox.push);
    fake.pushMessage({ chatId: 51, fromId: 51, text: 'fresh' });
    await next.inbox.waitForCount(1);
    const t1 = performance.now();
    await next.adapter.stop();
    expect(performance.now() - t1).toBeLessThan(1500);
    expect(next.inbox.items.map((m) => m.text)).toEqual(['fresh']);
    // Never two pollers at once (Telegram would answer 409).
    expect(fake.calls.filter((c) => c.failed === 409)).toEqual([]);
    // A stopped channel refuses to send (a turn still running tolerates that).
    await expect(next.adapter.send('51', 'late')).rejects.toThrow(/not running/);
  });
});

describe('start', () => {
  it('a wrong token is refused with a message the owner can act on', async () => {
    const { adapter, inbox } = adapterFor(fake, { settings: { telegram_bot_token: '123456:wrong-token-value' } });
    await expect(adapter.start(inbox.push)).rejects.toThrow(TOKEN_REJECTED);
    expect(TOKEN_REJECTED).toBe('Telegram rejected the bot token — check telegram_bot_token');
  });

  it('no token: refused before any request', async () => {
    const { adapter, inbox } = adapterFor(fake, { settings: { telegram_bot_token: '' } });
    await expect(adapter.start(inbox.push)).rejects.toThrow(/needs a bot token/);
  });

  it('an unreachable Bot API server: the address in the message, not the token', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const token = '555:unreachable-secret-token';
    const { adapter, inbox } = adapterFor(fake, { settings: { telegram_bot_token: token, telegram_api_base_url: `http://127.0.0.1:${port}/` } });
    const err = await adapter.start(inbox.push).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(new RegExp(`^Cannot reach the Telegram Bot API at http://127\\.0\\.0\\.1:${port}: `));
    expect(err?.message).not.toContain('unreachable-secret-token');
  });
});
