import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { connect, connectChat } from '../helpers/ws-client.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

describe('WebSocket chat (spec §4)', () => {
  it('connection_info first, then a streamed turn in the exact frame order', async () => {
    const sock = await connect(`${env.s.url}/ws`);
    const info = await sock.waitFor((f) => f.type === 'connection_info');
    expect(info).toEqual({ type: 'connection_info', content: 'Connected to PocketPaw', id: expect.stringMatching(/^websocket_[0-9a-f-]{36}$/) });
    const chatId = info.id.slice('websocket_'.length);
    env.fake.enqueue(textReply('Hello there, friend.'));
    sock.send({ action: 'chat', message: 'Hi!' });
    const all = await sock.turn(1);
    // Session events (our addition) interleave; PocketPaw's own frames keep their order.
    const updates = all.filter((f) => f.type === 'session_updated');
    expect(updates[0]!.session).toMatchObject({ id: `websocket_${chatId}`, title: 'Hi!', message_count: 1, channel: 'websocket' });
    expect(updates.at(-1)!.session).toMatchObject({ message_count: 2, preview: 'Hello there, friend.' });
    const frames = all.filter((f) => f.type !== 'session_updated');
    expect(frames[0]).toEqual({ type: 'stream_start' });
    expect(frames[1]).toEqual({ type: 'system_event', event_type: 'thinking', data: { session_key: `websocket:${chatId}` } });
    const chunks = frames.filter((f) => f.type === 'message');
    expect(chunks.every((f) => f.is_stream_chunk === true && JSON.stringify(f.metadata) === '{}')).toBe(true);
    expect(chunks.map((f) => f.content).join('')).toBe('Hello there, friend.');
    expect(frames.find((f) => f.event_type === 'token_usage')?.data).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });

    // Stored: user message (with the raw frame as metadata) and the answer.
    const history = await env.s.get(`/api/v1/sessions/websocket_${chatId}/history`);
    expect(history.body).toMatchObject([{ role: 'user', content: 'Hi!' }, { role: 'assistant', content: 'Hello there, friend.' }]);
    const exp = JSON.parse((await env.s.get(`/api/v1/sessions/websocket_${chatId}/export?format=json`)).text);
    expect(exp.messages[0].metadata).toEqual({ action: 'chat', message: 'Hi!' });
    // The provider got the system prompt and the user's words.
    const req = env.fake.requests[0]!;
    expect(req.body.messages[0].role).toBe('system');
    expect(req.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'Hi!' });
    sock.close();
  });

  it('the stored user message keeps the raw frame as metadata, without media payloads', async () => {
    const sock = await connectChat(env.s.url);
    sock.send({ action: 'chat', message: 'See attached', media: [{ data: Buffer.from('hello').toString('base64'), name: 'a.txt', mime_type: 'text/plain' }], extra: 1 });
    await sock.turn(1);
    const exp = JSON.parse((await env.s.get(`/api/v1/sessions/${sock.sessionId}/export?format=json`)).text);
    // The payload is not kept; the stored file is listed instead (spec §4.7).
    expect(exp.messages[0].metadata).toEqual({ action: 'chat', message: 'See attached', extra: 1, attachments: [{ id: expect.stringMatching(/_a\.txt$/), name: 'a.txt', mime_type: 'text/plain', size: 5 }] });
    expect(exp.messages[1]).toMatchObject({ role: 'assistant', content: 'Hello from the fake model.', metadata: {} });
    sock.close();
  });

  it('resume_session reconnects to the conversation and sends its history', async () => {
    const first = await connect(`${env.s.url}/ws`);
    const info = await first.waitFor((f) => f.type === 'connection_info');
    first.send({ action: 'chat', message: 'Remember me' });
    await first.turn(1);
    first.close();
    const again = await connect(`${env.s.url}/ws?resume_session=${info.id}`);
    const hist = await again.waitFor((f) => f.type === 'session_history');
    expect(again.frames[0]).toMatchObject({ type: 'connection_info', id: info.id });
    expect(hist).toMatchObject({ type: 'session_history', session_id: info.id, messages: [{ role: 'user', content: 'Remember me' }, { role: 'assistant', content: 'Hello from the fake model.' }] });
    again.close();
  });
});
