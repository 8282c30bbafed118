import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { connectChat, ownFrames, streamedText, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());
const sockets: ChatSocket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function open(url = env.s.url): Promise<ChatSocket> {
  const s = await connectChat(url);
  sockets.push(s);
  return s;
}

async function chat(sock: ChatSocket, message: string): Promise<WsFrame[]> {
  const from = sock.frames.length;
  sock.send({ action: 'chat', message });
  return sock.turn(from);
}

/** Sends `frame`, then a get_settings; returns what came in between (nothing, for a frame with no reply). */
async function replyTo(sock: ChatSocket, frame: unknown): Promise<WsFrame[]> {
  const from = sock.frames.length;
  sock.send(frame);
  sock.send({ action: 'get_settings' });
  const barrier = await sock.waitFor((f) => f.type === 'settings', { from });
  return sock.frames.slice(from, sock.frames.indexOf(barrier, from));
}

async function history(id: string): Promise<{ role: string; content: string }[]> {
  return (await env.s.get(`/api/v1/sessions/${id}/history`)).body;
}

describe('new_session and switch_session (spec §4.3)', () => {
  it('new_session: a fresh websocket_<uuid>, nothing stored until the first message, which goes there', async () => {
    const sock = await open();
    await chat(sock, 'in the first session');
    const reply = await replyTo(sock, { action: 'new_session' });
    expect(reply).toEqual([{ type: 'new_session', id: expect.stringMatching(/^websocket_[0-9a-f-]{36}$/) }]);
    const newId = reply[0]!.id as string;
    expect(newId).not.toBe(sock.sessionId);
    expect((await env.s.post(`/api/sessions/${newId}/title`, { title: 'x' })).status).toBe(404);

    const frames = await chat(sock, 'in the second session');
    expect(frames.find((f) => f.event_type === 'thinking')!.data).toEqual({ session_key: `websocket:${newId.slice('websocket_'.length)}` });
    expect(await history(newId)).toMatchObject([{ role: 'user', content: 'in the second session' }, { role: 'assistant', content: 'Hello from the fake model.' }]);
    expect(await history(sock.sessionId)).toHaveLength(2);
  });

  it('switch_session: session_history of that session, later chats continue it', async () => {
    const owner = await open();
    env.fake.enqueue(textReply('First answer.'));
    await chat(owner, 'First question');
    const other = await open();
    const reply = await replyTo(other, { action: 'switch_session', session_id: owner.sessionId });
    expect(reply).toMatchObject([{
      type: 'session_history', session_id: owner.sessionId,
      messages: [{ role: 'user', content: 'First question' }, { role: 'assistant', content: 'First answer.' }],
    }]);
    env.fake.enqueue(textReply('Second answer.'));
    const frames = await chat(other, 'Second question');
    expect(streamedText(frames)).toBe('Second answer.');
    expect(frames.find((f) => f.event_type === 'thinking')!.data).toEqual({ session_key: `websocket:${owner.chatId}` });
    expect(await history(owner.sessionId)).toHaveLength(4);
    // The model saw the earlier exchange.
    expect(env.fake.requests[1]!.body.messages.slice(1).map((m: { content: string }) => m.content)).toEqual(['First question', 'First answer.', 'Second question']);
  });

  it('switch_session to an unknown session: empty history, and the first chat creates it', async () => {
    const sock = await open();
    const id = 'websocket_0b7d8c9e-1111-4222-8333-944445555666';
    expect(await replyTo(sock, { action: 'switch_session', session_id: id })).toEqual([{ type: 'session_history', session_id: id, messages: [] }]);
    await chat(sock, 'hello new place');
    expect(await history(id)).toHaveLength(2);
  });

  it('switch_session with no "_" in the id (or no id) gets no reply and changes nothing', async () => {
    const sock = await open();
    expect(await replyTo(sock, { action: 'switch_session', session_id: 'nounderscore' })).toEqual([]);
    expect(await replyTo(sock, { action: 'switch_session' })).toEqual([]);
    const frames = await chat(sock, 'still mine');
    expect(frames.find((f) => f.event_type === 'thinking')!.data).toEqual({ session_key: `websocket:${sock.chatId}` });
  });

  it('unknown actions get no reply', async () => {
    const sock = await open();
    expect(await replyTo(sock, { action: 'no_such_action', x: 1 })).toEqual([]);
    expect(await replyTo(sock, { hello: 'no action at all' })).toEqual([]);
  });
});

describe('live session events to every socket', () => {
  it('created, retitled (automatically, by REST on both path families, by /rename) and deleted', async () => {
    const observer = await open();
    const sock = await open();
    let from = observer.frames.length;
    await chat(sock, '  What is the capital of France?  ');
    const created = await observer.waitFor((f) => f.type === 'session_updated', { from });
    expect(created).toEqual({
      type: 'session_updated',
      session: {
        id: sock.sessionId, title: 'What is the capital of France?', channel: 'websocket', created: expect.any(String),
        last_activity: expect.any(String), message_count: 1, preview: '  What is the capital of France?  ',
      },
    });
    const answered = await observer.waitFor((f) => f.type === 'session_updated' && f.session.message_count === 2, { from });
    expect(answered.session).toMatchObject({ id: sock.sessionId, preview: 'Hello from the fake model.' });

    from = observer.frames.length;
    expect((await env.s.post(`/api/sessions/${sock.sessionId}/title`, { title: '  Paris trip  ' })).status).toBe(200);
    const renamed = await observer.waitFor((f) => f.type === 'session_updated', { from });
    expect(renamed.session).toMatchObject({ id: sock.sessionId, title: 'Paris trip', user_title: 'Paris trip', message_count: 2 });

    from = observer.frames.length;
    expect((await env.s.post(`/api/v1/sessions/websocket:${sock.chatId}/title`, { title: 'Versioned title' })).status).toBe(200);
    expect((await observer.waitFor((f) => f.type === 'session_updated', { from })).session).toMatchObject({ id: sock.sessionId, title: 'Versioned title' });

    from = observer.frames.length;
    await chat(sock, '/rename Renamed from chat');
    expect((await observer.waitFor((f) => f.type === 'session_updated', { from })).session).toMatchObject({ id: sock.sessionId, title: 'Renamed from chat', user_title: 'Renamed from chat' });

    from = observer.frames.length;
    expect((await env.s.del(`/api/sessions/${sock.sessionId}`)).status).toBe(200);
    expect(await observer.waitFor((f) => f.type === 'session_deleted', { from })).toEqual({ type: 'session_deleted', id: sock.sessionId });
  });

  it('new_session alone announces nothing', async () => {
    const observer = await open();
    const sock = await open();
    const from = observer.frames.length;
    await replyTo(sock, { action: 'new_session' });
    const barrier = await replyTo(observer, { action: 'noop' });
    expect(barrier).toEqual([]);
    expect(observer.frames.slice(from).filter((f) => f.type.startsWith('session_'))).toEqual([]);
  });
});

describe('slash commands over the socket (spec §6.4)', () => {
  it('/help: stream_start, one non-streamed message, stream_end; nothing stored, no model call', async () => {
    const sock = await open();
    const frames = await chat(sock, '/help');
    expect(frames).toEqual([
      { type: 'stream_start' },
      { type: 'message', content: expect.stringContaining('/new'), is_stream_chunk: false, metadata: {}, notice: 'command' },
      { type: 'stream_end' },
    ]);
    expect(frames[1]!.content).toContain('/help');
    expect(env.fake.requests).toHaveLength(0);
    expect(await history(sock.sessionId)).toEqual([]);
    const list = await env.s.get('/api/sessions?limit=500');
    expect(list.body.sessions.map((x: { id: string }) => x.id)).not.toContain(sock.sessionId);
  });

  it('/new: the next chat goes to websocket_<chat id>_<8 hex>, the old session is kept', async () => {
    const sock = await open();
    await chat(sock, 'before new');
    const reply = ownFrames(await chat(sock, '/new'));
    expect(reply.map((f) => f.type)).toEqual(['stream_start', 'message', 'stream_end']);
    expect(reply[1]!.is_stream_chunk).toBe(false);
    const frames = await chat(sock, 'after new');
    const key = frames.find((f) => f.event_type === 'thinking')!.data.session_key as string;
    expect(key).toMatch(new RegExp(`^websocket:${sock.chatId}:[0-9a-f]{8}$`));
    const created = frames.find((f) => f.type === 'session_updated')!;
    expect(created.session.id).toMatch(new RegExp(`^${sock.sessionId}_[0-9a-f]{8}$`));
    expect(await history(created.session.id)).toMatchObject([{ role: 'user', content: 'after new' }, { role: 'assistant', content: 'Hello from the fake model.' }]);
    expect((await history(sock.sessionId)).map((m) => m.content)).toEqual(['before new', 'Hello from the fake model.']);
  });
});
