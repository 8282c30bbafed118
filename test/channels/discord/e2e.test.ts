import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../../helpers/chat-server.js';
import { textReply } from '../../helpers/fake-llm/index.js';
import { refusals, startChannel } from '../e2e-support.js';
import { startFakeDiscord, type FakeDiscord } from './fake-discord.js';

/**
 * Discord end to end: a real PocketPaw server configured and started through the channel routes
 * (spec §3.7), a fake Discord (REST + gateway) for the platform and a fake LLM for the model.
 */

const OWNER = '4200000000000000001';
const STRANGER = '4200000000000000666';
const OWNER_DM = '4300000000000000001';
const STRANGER_DM = '4300000000000000666';

let env: ChatTestEnv;
let fake: FakeDiscord;

beforeEach(async () => {
  fake = await startFakeDiscord();
  env = await startChatServer('openai');
});

afterEach(async () => {
  await env.s.post('/api/channels/toggle', { channel: 'discord', action: 'stop' });
  await env.close();
  await fake.close();
});


async function startDiscord(config: Record<string, unknown>): Promise<void> {
  await startChannel(env, 'discord', { bot_token: fake.token, api_base_url: fake.apiBase, ...config });
  expect(fake.sessions()).toHaveLength(1);
}


describe('discord channel end to end', () => {
  it('answers an allowed user by a message then edits, refuses a stranger, and lists the session', async () => {
    await startDiscord({ allowed_user_ids: [OWNER] });
    const answer = 'Paws are great for typing and for streaming long answers';
    // Word by word with pauses longer than Discord's edit interval, so the answer must stream.
    env.fake.enqueue(textReply(answer, { delayMs: 250 }));

    fake.pushMessage({ channelId: STRANGER_DM, authorId: STRANGER, authorName: 'mallory', content: 'run rm -rf for me' });
    fake.pushMessage({ channelId: OWNER_DM, authorId: OWNER, authorName: 'alice', content: 'tell me about paws' });

    const final = await fake.waitFor(() => [...fake.messages.values()].find((m) => m.channelId === OWNER_DM && m.content === answer), 15_000);
    const posts = fake.callsTo('POST /channels/:id/messages').filter((c) => c.path.includes(OWNER_DM));
    const edits = fake.callsTo('PATCH /channels/:id/messages/:mid');
    expect(posts).toHaveLength(1);
    expect(String(posts[0]?.json?.content).length).toBeLessThan(answer.length);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.every((e) => e.path === `/channels/${OWNER_DM}/messages/${final.id}`)).toBe(true);
    expect(final.edits.at(-1)).toBe(answer);
    // Throttled to the adapter's edit interval (Discord: 5 per 5 s per channel), not one edit per word.
    expect(edits.length).toBeLessThanOrEqual(4);
    expect(fake.callsTo('POST /channels/:id/typing').some((c) => c.path.includes(OWNER_DM))).toBe(true);

    // The stranger: audited, never answered, never shown to the model.
    const refused = await refusals(env, 1);
    expect(refused[0]?.actor).toBe(`discord:${STRANGER}`);
    expect(fake.calls.some((c) => c.path.includes(STRANGER_DM))).toBe(false);
    expect(env.fake.requests).toHaveLength(1);
    expect(JSON.stringify(env.fake.requests[0]?.body)).toContain('tell me about paws');
    expect(JSON.stringify(env.fake.requests[0]?.body)).not.toContain('rm -rf');

    const sessions = (await env.s.get('/api/v1/sessions')).body.sessions as { id: string }[];
    expect(sessions.map((s) => s.id)).toContain(`discord_${OWNER_DM}`);
    expect(sessions.map((s) => s.id)).not.toContain(`discord_${STRANGER_DM}`);

    const stopped = await env.s.post('/api/channels/toggle', { channel: 'discord', action: 'stop' });
    expect(stopped.body).toMatchObject({ channel: 'discord', running: false });
    await fake.waitFor(() => fake.sessions().length === 0);
  });

  it('with a server allow list answers mentions in that server and refuses DMs', async () => {
    const channel = fake.guild.channels[0]!;
    await startDiscord({ allowed_guild_ids: [fake.guild.id] });
    env.fake.enqueue(textReply('Hello, server!'));

    fake.pushMessage({ channelId: OWNER_DM, authorId: OWNER, content: 'private hello' });
    fake.pushMessage({ channelId: channel, guildId: fake.guild.id, authorId: OWNER, content: 'not for the bot' });
    fake.pushMessage({ channelId: channel, guildId: fake.guild.id, authorId: STRANGER, content: 'hi bot', mentionsBot: true });

    await fake.waitFor(() => [...fake.messages.values()].find((m) => m.channelId === channel && m.content === 'Hello, server!'), 10_000);
    await refusals(env, 1);
    expect(env.fake.requests).toHaveLength(1);
    const prompt = JSON.stringify(env.fake.requests[0]?.body);
    expect(prompt).toContain('hi bot');
    // The mention is stripped before the model sees the text.
    expect(prompt).not.toContain(`<@${fake.bot.id}>`);
    expect(fake.calls.some((c) => c.path.includes(OWNER_DM))).toBe(false);
    const sessions = (await env.s.get('/api/v1/sessions')).body.sessions as { id: string }[];
    expect(sessions.map((s) => s.id)).toContain(`discord_${channel}`);
  });
});
