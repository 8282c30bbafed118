import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { chatBlocking, chatStream, historyOf, storedMessages, wireMessages } from './rest-helpers.js';

// Spec §6.4: slash commands over REST chat (those that make sense without channels).

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

async function say(chatId: string, content: string): Promise<string> {
  const res = await chatBlocking(env.s, { content, session_id: chatId });
  expect(res.status, res.text).toBe(200);
  expect(res.body.session_id).toBe(chatId);
  return res.body.content as string;
}

async function sessionIds(): Promise<string[]> {
  const res = await env.s.get('/api/v1/sessions?limit=500');
  return (res.body.sessions as Array<{ id: string }>).map((x) => x.id);
}

describe('slash commands over REST', () => {
  it('/help lists the commands; nothing is stored and the model is not called', async () => {
    const help = await say('cmd-help', '/help');
    for (const c of ['/new', '/sessions', '/resume', '/clear', '/rename', '/status', '/help', '/model']) expect(help).toContain(c);
    // A Markdown list, one command a line, each with what it does in plain words.
    expect(help.split('\n').filter((l) => l.startsWith('- `/')).length).toBeGreaterThanOrEqual(11);
    expect(help).toMatch(/^- `\/new` — start a new conversation/m);
    expect(await say('cmd-help', '!help')).toBe(help);
    expect(await say('cmd-help', '/help@PocketPawBot')).toBe(help);
    const sse = await chatStream(env.s, { content: '/help', session_id: 'cmd-help' });
    expect(sse.events.map((e) => e.event)).toEqual(['stream_start', 'chunk', 'stream_end']);
    expect(sse.events[1]!.data).toEqual({ content: help, type: 'text' });
    expect(env.fake.requests).toHaveLength(0);
    expect(await sessionIds()).not.toContain('websocket_cmd-help');
    // Unknown commands are ordinary chat.
    expect(await say('cmd-help', '/frobnicate now')).toBe('Hello from the fake model.');
  });

  it('/rename and /status work on the current session', async () => {
    await say('cmd-status', 'First topic');
    expect(await say('cmd-status', '/rename Foo')).toContain('Foo');
    const listed = (await env.s.get('/api/sessions?limit=500')).body.sessions.find((x: any) => x.id === 'websocket_cmd-status');
    expect(listed).toMatchObject({ title: 'Foo', user_title: 'Foo', message_count: 2 });
    const status = await say('cmd-status', '/status');
    expect(status).toContain('Foo');
    expect(status).toMatch(/Messages: 2\b/);
    expect(status).toContain('websocket:cmd-status');
    expect(status).toContain('gpt-test');
    expect(await historyOf(env.s, 'websocket_cmd-status')).toEqual([
      { role: 'user', content: 'First topic' }, { role: 'assistant', content: 'Hello from the fake model.' },
    ]);
  });

  it('/new, /sessions, /resume switch between this chat’s sessions', async () => {
    // A chat whose id merely starts with the same letters is somebody else's.
    await say('cmd-newx', 'Not my session');
    await say('cmd-new', 'First topic');
    expect(await say('cmd-new', '/new')).toMatch(/new session/i);
    env.fake.reset();
    await say('cmd-new', 'Second topic');
    // The new session starts empty: the model sees no earlier messages.
    expect(wireMessages(env.fake.requests[0]!).map((m) => m.text)).toEqual(['Second topic']);
    const alias = (await sessionIds()).filter((id) => /^websocket_cmd-new_[0-9a-f]{8}$/.test(id));
    expect(alias).toHaveLength(1);
    expect(await historyOf(env.s, alias[0]!)).toEqual([
      { role: 'user', content: 'Second topic' }, { role: 'assistant', content: 'Hello from the fake model.' },
    ]);
    expect((await historyOf(env.s, 'websocket_cmd-new'))).toHaveLength(2);

    const list = await say('cmd-new', '/sessions');
    const lines = list.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^1\. Second topic .*\(active\)$/);
    expect(lines[1]).toMatch(/^2\. First topic /);
    expect(lines[1]).not.toContain('(active)');
    expect(list).not.toContain('Not my session');

    expect(await say('cmd-new', '/resume 2')).toContain('First topic');
    env.fake.reset();
    await say('cmd-new', 'Back again');
    expect(wireMessages(env.fake.requests[0]!).map((m) => m.text)).toEqual(['First topic', 'Hello from the fake model.', 'Back again']);
    expect(await historyOf(env.s, 'websocket_cmd-new')).toHaveLength(4);
    // Newest activity first: the resumed session moved to the top.
    expect((await say('cmd-new', '/sessions')).split('\n').find((l) => l.includes('(active)'))).toMatch(/^1\. First topic — 4 messages/);

    // By part of the title, too.
    expect(await say('cmd-new', '/resume second')).toContain('Second topic');
    await say('cmd-new', 'Into the second again');
    expect(await historyOf(env.s, alias[0]!)).toHaveLength(4);
    expect(await say('cmd-new', '/resume 9')).toMatch(/no session/i);

    // No command or command reply was stored anywhere.
    for (const id of ['websocket_cmd-new', alias[0]!]) {
      const stored = await storedMessages(env.s, id);
      expect(stored.filter((m) => m.content.startsWith('/') || m.content.includes('new session'))).toEqual([]);
    }
  });

  it('/clear empties the current session; the next message starts it afresh', async () => {
    await say('cmd-clear', 'Something to forget');
    expect(await say('cmd-clear', '/clear')).toMatch(/cleared/i);
    expect(await sessionIds()).not.toContain('websocket_cmd-clear');
    env.fake.reset();
    await say('cmd-clear', 'Fresh start');
    expect(wireMessages(env.fake.requests[0]!).map((m) => m.text)).toEqual(['Fresh start']);
    expect(await historyOf(env.s, 'websocket_cmd-clear')).toEqual([
      { role: 'user', content: 'Fresh start' }, { role: 'assistant', content: 'Hello from the fake model.' },
    ]);
  });

  it('/model shows the model and /model <name> changes the model used next', async () => {
    expect(await say('cmd-model', '/model')).toContain('gpt-test');
    expect(await say('cmd-model', '/model gpt-x')).toContain('gpt-x');
    expect((await env.s.get('/api/v1/settings')).body.openai_model).toBe('gpt-x');
    await say('cmd-model', 'Which model answers?');
    expect(env.fake.requests).toHaveLength(1);
    expect(env.fake.requests[0]!.body.model).toBe('gpt-x');
    expect(await say('cmd-model', '/model')).toContain('gpt-x');
    await say('cmd-model', '/model gpt-test');
  });
});
