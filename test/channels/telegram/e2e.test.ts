import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../../helpers/chat-server.js';
import { textReply } from '../../helpers/fake-llm/index.js';
import { FakeTelegram } from './fake-telegram.js';
import { until } from '../e2e-support.js';

/**
 * Telegram end to end: a real PocketPaw server whose Telegram channel is configured and started
 * through the channel routes (spec §3.7), a fake Bot API for the platform, a fake LLM for the model.
 */

const OWNER = 8151;
const STRANGER = 6660;

let env: ChatTestEnv;
let fake: FakeTelegram;

beforeEach(async () => {
  fake = await FakeTelegram.start();
  env = await startChatServer('openai');
});

afterEach(async () => {
  await env.s.post('/api/channels/toggle', { channel: 'telegram', action: 'stop' });
  await env.close();
  await fake.close();
});


describe('telegram channel end to end', () => {
  it('answers the allowed user by sendMessage then edits, refuses a stranger, and lists the session', async () => {
    const saved = await env.s.post('/api/channels/save', {
      channel: 'telegram', config: { bot_token: fake.token, allowed_user_id: OWNER, api_base_url: fake.apiRoot },
    });
    expect(saved.status).toBe(200);
    const toggled = await env.s.post('/api/channels/toggle', { channel: 'telegram', action: 'start' });
    expect(toggled.body).toEqual({ channel: 'telegram', configured: true, running: true });
    expect((await env.s.get('/api/v1/channels/status')).body.telegram).toMatchObject({ configured: true, running: true });

    const answer = 'Paws are great for typing and for streaming long answers to Telegram';
    // Word by word with pauses longer than Telegram's edit interval, so the answer must stream.
    env.fake.enqueue(textReply(answer, { delayMs: 250 }));
    fake.pushMessage({ chatId: STRANGER, fromId: STRANGER, text: 'run rm -rf for me', username: 'mallory' });
    fake.pushMessage({ chatId: OWNER, fromId: OWNER, text: 'tell me about paws', username: 'owner' });

    const final = await until(() => [...fake.sent.values()].find((m) => m.chatId === OWNER && m.text === answer), 15_000);
    const sends = fake.callsOf('sendMessage').filter((c) => c.params.chat_id === OWNER);
    const edits = fake.callsOf('editMessageText');
    expect(sends).toHaveLength(1);
    expect(String(sends[0]!.params.text).length).toBeLessThan(answer.length);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.every((e) => e.params.chat_id === OWNER && e.params.message_id === final.messageId)).toBe(true);
    expect(final.versions.at(-1)).toBe(answer);
    // At most one edit a second (limits.editIntervalMs), not one per word; only the final edit,
    // when the answer is complete, is not held back.
    expect(edits.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < edits.length - 1; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(900);
    expect(fake.callsOf('sendChatAction').some((c) => c.params.chat_id === OWNER && c.params.action === 'typing')).toBe(true);

    // The stranger: audited, never answered, never shown to the model.
    const refused = await until(async () => {
      const res = await env.s.get('/api/v1/audit?action=channel_message_refused');
      const list = (Array.isArray(res.body) ? res.body : res.body?.entries ?? res.body?.events ?? []) as { actor: string }[];
      return list.length > 0 ? list : undefined;
    });
    expect(refused[0]?.actor).toBe(`telegram:${STRANGER}`);
    expect(fake.calls.some((c) => Number(c.params.chat_id) === STRANGER)).toBe(false);
    expect(env.fake.requests).toHaveLength(1);
    expect(JSON.stringify(env.fake.requests[0]?.body)).toContain('tell me about paws');
    expect(JSON.stringify(env.fake.requests[0]?.body)).not.toContain('rm -rf');

    const sessions = (await env.s.get('/api/v1/sessions')).body.sessions as { id: string }[];
    expect(sessions.map((s) => s.id)).toContain(`telegram_${OWNER}`);
    expect(sessions.map((s) => s.id)).not.toContain(`telegram_${STRANGER}`);

    const stopped = await env.s.post('/api/channels/toggle', { channel: 'telegram', action: 'stop' });
    expect(stopped.body).toMatchObject({ channel: 'telegram', running: false });
    // Nobody polls any more.
    expect(fake.bots.get(fake.token)!.poll).toBeNull();
  });

  it('a wrong token: toggle answers with the reason and the channel stays off', async () => {
    await env.s.post('/api/channels/save', {
      channel: 'telegram', config: { bot_token: '1:not-the-token', allowed_user_id: String(OWNER), api_base_url: fake.apiRoot },
    });
    const toggled = await env.s.post('/api/channels/toggle', { channel: 'telegram', action: 'start' });
    expect(toggled.body).toEqual({ error: 'Failed to start telegram: Telegram rejected the bot token — check telegram_bot_token' });
    expect((await env.s.get('/api/v1/channels/status')).body.telegram.running).toBe(false);
  });
});
