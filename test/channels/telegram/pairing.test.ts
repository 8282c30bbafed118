import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../src/config/settings-store.js';
import { loadConfig } from '../../../src/config/load.js';
import { TelegramPairing, type PairingAuditEntry } from '../../../src/channels/telegram/pairing.js';
import { tempDir } from '../../helpers/pocketpaw-fixture.js';
import { FakeTelegram } from './fake-telegram.js';
import { FAST } from './harness.js';

/** The pairing service (spec §3.21) against a fake Bot API, with the real settings store on disk. */

let fake: FakeTelegram;
let home: string;
let settings: SettingsStore;
let audit: PairingAuditEntry[];
let pairing: TelegramPairing;

beforeAll(async () => {
  fake = await FakeTelegram.start([{ username: 'pocketpaw_pair_bot' }]);
});
afterAll(() => fake.close());

beforeEach(() => {
  home = tempDir();
  settings = new SettingsStore(loadConfig({ POCKETPAW_HOME: home, POCKETPAW_TELEGRAM_API_BASE_URL: fake.apiRoot }));
  audit = [];
  pairing = new TelegramPairing({ settings, audit: (e) => audit.push(e), tuning: FAST });
});
afterEach(async () => {
  await pairing.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const secretOf = (deepLink: string) => new URL(deepLink).searchParams.get('start')!;

/** Waits until the fake has answered `chatId` with a text matching `re`. */
const answerTo = (chatId: number, re: RegExp, from = 0) =>
  fake.waitFor('sendMessage', (c) => Number(c.params.chat_id) === chatId && re.test(String(c.params.text)), { from });

describe('setup', () => {
  it('gives a deep link to the bot carrying a fresh 43-character URL-safe secret', async () => {
    const a = await pairing.setup(fake.token);
    const b = await pairing.setup(fake.token);
    expect(a.deepLink).toMatch(/^https:\/\/t\.me\/pocketpaw_pair_bot\?start=[A-Za-z0-9_-]{43}$/);
    expect(secretOf(a.deepLink)).not.toBe(secretOf(b.deepLink));
    expect(pairing.status()).toEqual({ paired: false, user_id: null });
  });

  it('a token Telegram rejects: setup fails with the reason, nothing polls', async () => {
    await expect(pairing.setup('999:not-a-real-token')).rejects.toThrow('Telegram rejected the bot token');
    expect(fake.calls.some((c) => c.method === 'getUpdates' && c.token === '999:not-a-real-token')).toBe(false);
  });
});

describe('/start <secret>', () => {
  it('pairs the sender: settings get the token and the numeric id, the user is told, the bot stops', async () => {
    const { deepLink } = await pairing.setup(fake.token);
    const from = fake.calls.length;
    fake.pushMessage({ chatId: 8151, fromId: 8151, text: `/start ${secretOf(deepLink)}`, username: 'owner' });
    await answerTo(8151, /^Paired!/, from);
    expect(pairing.status()).toEqual({ paired: true, user_id: 8151 });
    expect(settings.get().telegram_bot_token).toBe(fake.token);
    expect(settings.get().allowed_user_id).toBe('8151');
    // Saved where settings live: the token with the secrets, the id in config.json.
    expect(JSON.parse(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')).telegram_bot_token).toBe(fake.token);
    expect(String(JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8')).allowed_user_id)).toBe('8151');
    expect(audit.map((e) => e.action)).toEqual(['telegram_pairing_started', 'telegram_paired']);

    // The temporary bot stops polling, and confirmed the /start so the real channel never sees it.
    await fake.waitFor('getUpdates', (c) => c.params.timeout === 0, { from });
    const polls = fake.callsOf('getUpdates').length;
    fake.pushMessage({ chatId: 8151, fromId: 8151, text: 'anyone there?' });
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.callsOf('getUpdates')).toHaveLength(polls);
    const state = fake.bots.get(fake.token)!;
    expect(state.queue.map((u) => (u.message as { text: string }).text)).toEqual(['anyone there?']);
    state.queue.length = 0;
  });

  it('a wrong secret does not pair, is audited and answered; the right one still works after', async () => {
    const { deepLink } = await pairing.setup(fake.token);
    const secret = secretOf(deepLink);
    const wrong = `${secret.slice(0, 42)}${secret.endsWith('A') ? 'B' : 'A'}`;
    let from = fake.calls.length;
    fake.pushMessage({ chatId: 666, fromId: 666, text: `/start ${wrong}`, username: 'mallory' });
    fake.pushMessage({ chatId: 667, fromId: 667, text: '/start short' });
    await answerTo(667, /not valid/, from);
    await answerTo(666, /not valid/, from);
    expect(pairing.status()).toEqual({ paired: false, user_id: null });
    expect(settings.get().allowed_user_id).toBeNull();
    expect(settings.get().telegram_bot_token).toBe('');
    const refused = audit.filter((e) => e.action === 'telegram_pairing_refused');
    expect(refused.map((e) => [e.actor, e.severity])).toEqual([['telegram:666', 'warning'], ['telegram:667', 'warning']]);
    expect(JSON.stringify(audit)).not.toContain(secret);

    // A bare /start gets the instructions and pairs nobody.
    from = fake.calls.length;
    fake.pushMessage({ chatId: 668, fromId: 668, text: '/start' });
    await answerTo(668, /waiting to pair/, from);

    fake.pushMessage({ chatId: 42, fromId: 42, text: `/start ${secret}` });
    await answerTo(42, /^Paired!/, from);
    expect(pairing.status()).toEqual({ paired: true, user_id: 42 });
  });

  it('the secret works once: a second /start with it in the same batch pairs nobody else', async () => {
    const { deepLink } = await pairing.setup(fake.token);
    const secret = secretOf(deepLink);
    const from = fake.calls.length;
    fake.holdUpdates(true);
    fake.pushMessage({ chatId: 101, fromId: 101, text: `/start ${secret}` });
    fake.pushMessage({ chatId: 202, fromId: 202, text: `/start ${secret}` });
    fake.holdUpdates(false);
    await answerTo(101, /^Paired!/, from);
    await fake.waitFor('getUpdates', (c) => c.params.timeout === 0, { from });
    expect(settings.get().allowed_user_id).toBe('101');
    expect(pairing.status()).toEqual({ paired: true, user_id: 101 });
    expect(fake.calls.slice(from).some((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === 202)).toBe(false);
  });

  it('setup again replaces the pairing in progress: the old secret no longer pairs, one poller only', async () => {
    const first = await pairing.setup(fake.token);
    const second = await pairing.setup(fake.token);
    const from = fake.calls.length;
    fake.pushMessage({ chatId: 301, fromId: 301, text: `/start ${secretOf(first.deepLink)}` });
    await answerTo(301, /not valid/, from);
    fake.pushMessage({ chatId: 302, fromId: 302, text: `/start ${secretOf(second.deepLink)}` });
    await answerTo(302, /^Paired!/, from);
    expect(pairing.status().user_id).toBe(302);
    expect(fake.calls.filter((c) => c.failed === 409)).toEqual([]);
  });

  it('a pairing expires: after the deadline the bot stops and the secret pairs nobody', async () => {
    let expired!: () => void;
    const expiry = new Promise<void>((r) => (expired = r));
    const short = new TelegramPairing({ settings, tuning: FAST, expiryMs: 150, log: (m) => /expired/.test(m) && expired() });
    try {
      const { deepLink } = await short.setup(fake.token);
      await expiry;
      const from = fake.calls.length;
      fake.pushMessage({ chatId: 401, fromId: 401, text: `/start ${secretOf(deepLink)}` });
      await new Promise((r) => setTimeout(r, 150));
      expect(fake.calls.slice(from).map((c) => c.method)).toEqual([]);
      expect(short.status()).toEqual({ paired: false, user_id: null });
      expect(settings.get().allowed_user_id).toBeNull();
      fake.bots.get(fake.token)!.queue.length = 0;
    } finally {
      await short.close();
    }
  });
});
