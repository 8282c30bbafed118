import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { connect } from '../helpers/ws-client.js';
import { API_CHAT_ID, chatBlocking, chatStream, storedMessages, wireMessages } from './rest-helpers.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

describe('POST /api/v1/chat (blocking, spec §3.3)', () => {
  it('returns {session_id, content, usage} with all chunks joined', async () => {
    env.fake.enqueue(textReply('Joined from many small deltas.', { chunkSize: 3 }));
    const res = await chatBlocking(env.s, { content: 'Hi' });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(['content', 'session_id', 'usage']);
    expect(res.body.session_id).toMatch(API_CHAT_ID);
    expect(res.body.content).toBe('Joined from many small deltas.');
    expect(res.body.usage).toEqual({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    const stored = await storedMessages(env.s, `websocket_${res.body.session_id.replace(':', '_')}`);
    expect(stored.map((m) => [m.role, m.content, m.metadata])).toEqual([
      ['user', 'Hi', { source: 'rest_api' }], ['assistant', 'Joined from many small deltas.', { model: expect.stringMatching(/^openai:/) }],
    ]);
  });

  it('session_id is kept verbatim and continues the conversation', async () => {
    const a = await chatBlocking(env.s, { content: 'one', session_id: 'blocking-chat' });
    const b = await chatBlocking(env.s, { content: 'two', session_id: 'blocking-chat' });
    expect(a.body.session_id).toBe('blocking-chat');
    expect(b.body.session_id).toBe('blocking-chat');
    expect((await storedMessages(env.s, 'websocket_blocking-chat')).map((m) => m.content))
      .toEqual(['one', 'Hello from the fake model.', 'two', 'Hello from the fake model.']);
  });
});

describe('chat scope', () => {
  it('an API key needs the chat scope for every chat route', async () => {
    const sessionsOnly = await createKey(env.s, { name: 'no-chat', scopes: ['sessions'] });
    const chatter = await createKey(env.s, { name: 'chatter', scopes: ['chat'] });
    const denied = { detail: 'API key missing required scope: chat' };
    for (const path of ['/api/v1/chat', '/api/v1/chat/stream', '/api/v1/chat/stop?session_id=x']) {
      const res = await env.s.remote(path, { method: 'POST', json: { content: 'hi' }, headers: bearer(sessionsOnly.key) });
      expect(res.status, path).toBe(403);
      expect(res.body).toEqual(denied);
    }
    expect(env.fake.requests).toHaveLength(0);
    const ok = await env.s.remote('/api/v1/chat', { method: 'POST', json: { content: 'hi', session_id: 'scoped' }, headers: bearer(chatter.key) });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.content).toBe('Hello from the fake model.');
    const stream = await env.s.remote('/api/v1/chat/stream', { method: 'POST', json: { content: 'hi' }, headers: bearer(chatter.key) });
    expect(stream.status).toBe(200);
    expect(stream.text).toContain('event: stream_end');
  });
});

describe('ChatRequest validation (422 FastAPI-shaped, malformed JSON too)', () => {
  for (const path of ['/api/v1/chat', '/api/v1/chat/stream']) {
    it(`${path}: empty, over-long and missing content → 422; nothing reaches the model`, async () => {
      const empty = await env.s.post(path, { content: '' });
      expect(empty.status).toBe(422);
      expect(empty.body).toEqual({ detail: [{ loc: ['body', 'content'], msg: expect.any(String), type: expect.any(String) }] });

      const long = await env.s.post(path, { content: 'x'.repeat(100_001) });
      expect(long.status).toBe(422);
      expect(long.body.detail[0].loc).toEqual(['body', 'content']);

      const missing = await env.s.post(path, { session_id: 'x' });
      expect(missing.status).toBe(422);
      expect(missing.body.detail).toEqual([{ loc: ['body', 'content'], msg: 'Field required', type: 'missing' }]);

      const wrongType = await env.s.post(path, { content: 42 });
      expect(wrongType.status).toBe(422);
      expect(wrongType.body.detail[0].loc).toEqual(['body', 'content']);

      const malformed = await env.s.request(path, { method: 'POST', body: '{"content": "unterminated', headers: { 'content-type': 'application/json' } });
      expect(malformed.status).toBe(422);
      expect(malformed.body).toEqual({
        detail: [{ type: 'json_invalid', loc: ['body', 12], msg: 'JSON decode error', input: {}, ctx: { error: 'Unterminated string starting at' } }],
      });

      expect(env.fake.requests).toHaveLength(0);
    });
  }

  it('a session_id is either usable as a conversation or rejected, never half-stored', async () => {
    // The longest id whose session (and /new aliases of it) can be found again.
    const longest = 'L'.repeat(493);
    await chatBlocking(env.s, { content: 'remember 42', session_id: longest });
    env.fake.reset();
    const again = await chatBlocking(env.s, { content: 'what number?', session_id: longest });
    expect(again.status).toBe(200);
    expect(wireMessages(env.fake.requests[0]!).map((m) => m.text)).toEqual(['remember 42', 'Hello from the fake model.', 'what number?']);
    expect((await env.s.get(`/api/v1/sessions/websocket_${longest}/history`)).body).toHaveLength(4);

    const tooLong = 'L'.repeat(494);
    for (const path of ['/api/v1/chat', '/api/v1/chat/stream']) {
      const res = await env.s.post(path, { content: 'x', session_id: tooLong });
      expect(res.status, path).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['body', 'session_id']);
    }
    const empty = await env.s.post('/api/v1/chat', { content: 'x', session_id: '' });
    expect(empty.status).toBe(422);
  });

  it('exactly 100000 characters is accepted', async () => {
    const res = await chatBlocking(env.s, { content: 'y'.repeat(100_000), session_id: 'max-length' });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(env.fake.requests).toHaveLength(1);
  });
});

describe('REST chat output stays off the WebSocket (spec §3.3, §10 item 10)', () => {
  it('a connected dashboard socket sees no message or system_event frames for REST chats', async () => {
    const sock = await connect(`${env.s.url}/ws`);
    await sock.waitFor((f) => f.type === 'connection_info');
    const from = sock.frames.length;
    env.fake.enqueue(
      { steps: [{ reasoning: 'thinking hard' }, { text: 'Streamed over SSE only.' }] },
      textReply('Blocking answer only.'),
    );
    const sse = await chatStream(env.s, { content: 'REST chat one', session_id: 'rest-only' });
    expect(sse.events.at(-1)!.event).toBe('stream_end');
    const blocking = await chatBlocking(env.s, { content: 'REST chat two' });
    expect(blocking.status).toBe(200);
    // A round trip on the socket: every frame sent before the reply has arrived by now.
    sock.send({ action: 'get_settings' });
    await sock.waitFor((f) => f.type === 'settings', { from });
    const during = sock.frames.slice(from).filter((f) => f.type !== 'settings');
    // Session list updates (our addition) are allowed; chat output and agent events are not.
    expect(during.filter((f) => f.type !== 'session_updated')).toEqual([]);
    expect(during.map((f) => f.session.id)).toContain('websocket_rest-only');
    sock.close();
  });
});
