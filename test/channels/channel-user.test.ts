import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { startFakeDiscord, type FakeDiscord } from './discord/fake-discord.js';
import { connectChat } from '../helpers/ws-client.js';

/**
 * What a channel user may and may not do, end to end: a real server, the fake Discord as the
 * platform, the fake OpenAI server as the model. The owner's settings are the most generous
 * (`tool_profile: full`, `shell` in tools_allow): none of it reaches a channel user.
 */

const USER = '4200000000000000001';
const DM = '4300000000000000001';

let env: ChatTestEnv;
let fake: FakeDiscord;

beforeEach(async () => {
  fake = await startFakeDiscord();
  fake.openDm(DM);
  env = await startChatServer('openai', { env: { POCKETPAW_TOOL_PROFILE: 'full', POCKETPAW_TOOLS_ALLOW: '["shell"]' } });
  await env.s.post('/api/channels/save', { channel: 'discord', config: { bot_token: fake.token, api_base_url: fake.apiBase, allowed_user_ids: [USER] } });
  const started = await env.s.post('/api/channels/toggle', { channel: 'discord', action: 'start' });
  expect(started.body).toEqual({ channel: 'discord', configured: true, running: true });
});

afterEach(async () => {
  await env.s.post('/api/channels/toggle', { channel: 'discord', action: 'stop' });
  await env.close();
  await fake.close();
});

const say = (content: string) => fake.pushMessage({ channelId: DM, authorId: USER, authorName: 'alice', content });
const shown = () => [...fake.messages.values()].filter((m) => m.channelId === DM).map((m) => m.edits.at(-1) ?? m.content);
const waitShown = (match: (text: string) => boolean, ms = 10_000) => fake.waitFor(() => shown().find(match), ms);
const offeredTools = (i: number) => ((env.fake.requests[i]?.body?.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name);

describe('a channel user never gets the owner\'s powers', () => {
  it('gets the channel_tool_profile (minimal): no shell, no files, no web offered, and a shell call is refused', async () => {
    env.fake.enqueue(toolCallReply('shell', { command: 'cat ~/.ssh/id_rsa' }), textReply('I cannot run commands here.'));
    say('please run cat ~/.ssh/id_rsa');
    await waitShown((t) => t === 'I cannot run commands here.');
    const names = offeredTools(0);
    expect(names).toContain('current_time');
    expect(names).toContain('set_reminder');
    for (const power of ['shell', 'read_file', 'write_file', 'url_extract', 'web_search']) expect(names).not.toContain(power);
    // What the model got back for its shell call: a refusal, not the file.
    const toolResult = JSON.stringify(env.fake.requests[1]?.body?.messages.at(-1));
    expect(toolResult).toMatch(/not allowed/);
    const audit = (await env.s.get('/api/v1/audit?action=tool_denied')).body as { context: { sender: string } }[];
    expect(audit.some((e) => e.context.sender === USER)).toBe(true);
  });

  it('the owner\'s dashboard chat still has the full profile (the restriction is per turn, not global)', async () => {
    const res = await env.s.post('/api/v1/chat', { content: 'hi' });
    expect(res.status).toBe(200);
    expect(offeredTools(0)).toContain('shell');
  });

  it('cannot change settings by slash command; read-only commands still answer', async () => {
    say('/tools full');
    await waitShown((t) => t.startsWith('Only the owner can change that'));
    say('/model gpt-evil');
    await fake.waitFor(() => shown().filter((t) => t.startsWith('Only the owner')).length === 2);
    say('/status');
    await waitShown((t) => t.includes('Session key: discord:'));
    const settings = (await env.s.get('/api/v1/settings')).body;
    expect(settings.tool_profile).toBe('full');
    expect(settings.openai_model).not.toBe('gpt-evil');
    expect(env.fake.requests).toHaveLength(0);
  });
});

describe('held tool calls wait for the owner, on the dashboard', () => {
  it('plan mode: a channel user\'s call is proposed to the owner\'s dashboard, runs only once approved there', async () => {
    await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings: { plan_mode: true, plan_mode_tools: ['remember'] } } });
    const dashboard = await connectChat(env.s.url);
    env.fake.enqueue(toolCallReply('remember', { content: 'the door code is 1234' }), textReply('Saved, once the owner agreed.'));
    say('remember the door code 1234');
    const proposal = await dashboard.waitFor((f) => f.type === 'plan_proposed');
    expect(proposal.session_key).toBe(`discord:${DM}`);
    expect(proposal.plan.tool).toBe('remember');
    // Nothing ran yet, and the chat user saw no way to approve it themselves.
    expect((await env.s.get('/api/v1/memory/stats')).body.total_memories).toBe(0);
    expect(shown().some((t) => /approve/i.test(t))).toBe(false);
    const approved = await env.s.post('/api/v1/plan/approve', { session_key: `discord:${DM}` });
    expect(approved.status).toBe(200);
    await waitShown((t) => t === 'Saved, once the owner agreed.');
    expect((await env.s.get('/api/v1/memory/stats')).body.total_memories).toBe(1);
    dashboard.close();
  });
});

describe('channel conversations are the user\'s own', () => {
  it('with owner_id set, memory written from a channel lands in the sender\'s own scope, not the owner\'s (spec §8)', async () => {
    await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings: { owner_id: '4200000000000000999' } } });
    env.fake.enqueue(toolCallReply('remember', { content: 'alice likes oolong tea' }), textReply('Noted.'));
    say('remember that I like oolong tea');
    await waitShown((t) => t === 'Noted.');
    const memory = (await env.s.get('/api/v1/memory/long_term')).body as { content: string }[];
    expect(memory.some((m) => m.content.includes('oolong'))).toBe(true);
    // Stored, but not as the owner's: the owner's own memory is still empty.
    const stats = (await env.s.get('/api/v1/memory/stats')).body;
    expect(stats.total_memories).toBe(1);
    expect(stats.owner_memories).toBe(0);
    const sessions = (await env.s.get('/api/v1/sessions')).body.sessions as { id: string; channel: string }[];
    expect(sessions.find((s) => s.id === `discord_${DM}`)?.channel).toBe('discord');
  });

  it('a reminder set in the chat fires back in that chat', async () => {
    env.fake.enqueue(toolCallReply('set_reminder', { message: 'in 1 second to stretch' }), textReply('Reminder set.'));
    say('remind me in 1 second to stretch');
    await waitShown((t) => t === 'Reminder set.');
    await waitShown((t) => t === '⏰ Reminder: Stretch', 8000);
  });

  it('an intention\'s result also goes to notify_channel', async () => {
    await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings: { notify_channel: `discord:${DM}` } } });
    const created = await env.s.post('/api/v1/intentions', { name: 'Morning brief', prompt: 'brief me', trigger: { type: 'cron', schedule: 'every_morning_8am' }, context_sources: [], enabled: true });
    expect(created.status).toBe(200);
    env.fake.enqueue(textReply('Sunny, no meetings.'));
    await env.s.post(`/api/v1/intentions/${created.body.intention.id}/run`);
    await waitShown((t) => t === 'Morning brief:\nSunny, no meetings.');
  });

  it('an answer still arrives when the channel is stopped and started again while the turn runs', async () => {
    const answer = 'This answer was written while the bot restarted and still arrived in full.';
    env.fake.enqueue(textReply(answer, { delayMs: 120 }));
    say('write slowly');
    await fake.waitFor(() => fake.callsTo('POST /channels/:id/messages').length > 0, 10_000);
    expect((await env.s.post('/api/channels/toggle', { channel: 'discord', action: 'stop' })).body.running).toBe(false);
    expect((await env.s.post('/api/channels/toggle', { channel: 'discord', action: 'start' })).body.running).toBe(true);
    await waitShown((t) => t === answer, 15_000);
    const history = (await env.s.get(`/api/v1/sessions/discord_${DM}/history`)).body;
    expect(JSON.stringify(history)).toContain(answer);
  });
});
