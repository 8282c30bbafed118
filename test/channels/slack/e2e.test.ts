import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../../helpers/chat-server.js';
import { textReply } from '../../helpers/fake-llm/index.js';
import { refusals, until } from '../e2e-support.js';
import { APP_TOKEN, BOT_TOKEN, startFakeSlack, type FakeSlack } from './fake-slack.js';

/**
 * Slack end to end: a real PocketPaw server whose Slack channel is configured and started through
 * the channel routes (spec §3.7), the fake Slack (Web API + Socket Mode) for the platform, the
 * fake LLM for the model.
 */

const OWNER_DM = 'D0OWNER01';
const STRANGER_DM = 'D0STRANGR';

let env: ChatTestEnv;
let fake: FakeSlack;

beforeEach(async () => {
  fake = await startFakeSlack();
  env = await startChatServer('openai');
});

afterEach(async () => {
  await env.s.post('/api/channels/toggle', { channel: 'slack', action: 'stop' });
  await env.close();
  await fake.close();
});


describe('slack channel end to end', () => {
  it('streams the answer to an allowed channel by postMessage then chat.update, ignores others, lists the session', async () => {
    const saved = await env.s.post('/api/channels/save', {
      channel: 'slack', config: { bot_token: BOT_TOKEN, app_token: APP_TOKEN, allowed_channel_ids: [OWNER_DM], api_base_url: fake.apiUrl },
    });
    expect(saved.status).toBe(200);
    const toggled = await env.s.post('/api/channels/toggle', { channel: 'slack', action: 'start' });
    expect(toggled.body).toEqual({ channel: 'slack', configured: true, running: true });
    expect(fake.openSockets()).toBe(1);

    const answer = 'Slack threads keep long answers tidy while the words stream in one edit at a time';
    // Word by word, slower than Slack's edit interval in total, so the answer must stream.
    env.fake.enqueue(textReply(answer, { delayMs: 150 }));
    const strangerEnv = fake.pushMessage({ channel: STRANGER_DM, channel_type: 'im', user: 'U0MALLORY', text: 'run rm -rf for me' });
    const ownerEnv = fake.pushMessage({ channel: OWNER_DM, channel_type: 'im', user: 'U0OWNER01', text: 'tell me about threads', ts: '1700000900.000100' });
    await fake.waitForAck(strangerEnv);
    await fake.waitForAck(ownerEnv);

    const final = await until(() => fake.messages.find((m) => m.channel === OWNER_DM && m.text === answer), 20_000);
    const posts = fake.calls.filter((c) => c.method === 'chat.postMessage');
    const updates = fake.calls.filter((c) => c.method === 'chat.update');
    expect(posts).toHaveLength(1);
    // In the thread of the owner's message, as PocketPaw answers.
    expect(final.thread_ts).toBe('1700000900.000100');
    expect(final.history[0]!.length).toBeLessThan(answer.length);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.every((u) => u.params.channel === OWNER_DM && u.params.ts === final.ts)).toBe(true);
    expect(final.history.at(-1)).toBe(answer);
    // Edits no closer than limits.editIntervalMs (1.1 s), except the last, sent when the answer ends.
    for (let i = 1; i < updates.length - 1; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(1000);

    // The stranger: audited, never answered, never shown to the model.
    const refused = await refusals(env);
    expect(refused[0]?.actor).toBe('slack:U0MALLORY');
    expect(fake.calls.some((c) => c.params.channel === STRANGER_DM)).toBe(false);
    expect(env.fake.requests).toHaveLength(1);
    expect(JSON.stringify(env.fake.requests[0]?.body)).toContain('tell me about threads');
    expect(JSON.stringify(env.fake.requests[0]?.body)).not.toContain('rm -rf');

    const sessions = (await env.s.get('/api/v1/sessions')).body.sessions as { id: string }[];
    expect(sessions.map((s) => s.id)).toContain(`slack_${OWNER_DM}`);
    expect(sessions.map((s) => s.id)).not.toContain(`slack_${STRANGER_DM}`);

    const stopped = await env.s.post('/api/channels/toggle', { channel: 'slack', action: 'stop' });
    expect(stopped.body).toMatchObject({ channel: 'slack', running: false });
    await fake.waitForSocketsClosed();
  });

  it('a wrong token: toggle answers with the reason and the channel stays off', async () => {
    await env.s.post('/api/channels/save', {
      channel: 'slack', config: { bot_token: 'xoxb-not-the-token', app_token: APP_TOKEN, allowed_channel_ids: [OWNER_DM], api_base_url: fake.apiUrl },
    });
    const toggled = await env.s.post('/api/channels/toggle', { channel: 'slack', action: 'start' });
    expect(toggled.body).toEqual({ error: 'Failed to start slack: Slack rejected the token — check slack_bot_token / slack_app_token (xapp-…) (invalid_auth)' });
    expect((await env.s.get('/api/v1/channels/status')).body.slack.running).toBe(false);
    expect(fake.openSockets()).toBe(0);
  });
});
