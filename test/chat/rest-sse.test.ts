import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';
import { API_CHAT_ID, chatStream, chunkText, historyOf, parseSse, storedMessages } from './rest-helpers.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

describe('POST /api/v1/chat/stream framing (spec §5, §5.1)', () => {
  it('sends SSE headers and exactly `event: x\\ndata: {json}\\n\\n` blocks', async () => {
    env.fake.enqueue(textReply('One two three.'));
    const res = await env.s.request('/api/v1/chat/stream', { method: 'POST', json: { content: 'Format check' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers.connection).toBe('keep-alive');
    // The whole body is a sequence of well-formed blocks and nothing else.
    expect(res.text).toMatch(/^(event: [a-z_]+\ndata: \{[^\n]*\}\n\n)+$/);
    const { events, rest } = parseSse(res.text);
    expect(rest).toBe('');
    const chatId = events[0]!.data.session_id;
    expect(res.text.startsWith(`event: stream_start\ndata: ${JSON.stringify({ session_id: chatId })}\n\n`)).toBe(true);
    expect(events.map((e) => e.event)).toEqual(['stream_start', ...events.slice(1, -1).map(() => 'chunk'), 'stream_end']);
    for (const e of events.filter((x) => x.event === 'chunk')) expect(Object.keys(e.data).sort()).toEqual(['content', 'type']);
    expect(Object.keys(events.at(-1)!.data).sort()).toEqual(['session_id', 'usage']);
  });

  it('without session_id the chat id is api:<12 hex> and the session is websocket_api_<12 hex>', async () => {
    const res = await chatStream(env.s, { content: 'No id given' });
    const chatId = res.events[0]!.data.session_id as string;
    expect(chatId).toMatch(API_CHAT_ID);
    expect(res.events.at(-1)!.data.session_id).toBe(chatId);
    const stored = await storedMessages(env.s, `websocket_api_${chatId.slice(4)}`);
    expect(stored.map((m) => [m.role, m.content])).toEqual([['user', 'No id given'], ['assistant', 'Hello from the fake model.']]);
    // Spec §7.2: REST user messages carry {"source":"rest_api"}; assistant metadata names only the model that wrote it (§4.7).
    expect(stored[0]!.metadata).toEqual({ source: 'rest_api' });
    expect(stored[1]!.metadata).toEqual({ model: expect.stringMatching(/^[a-z_]+:.+/) });
    // Two requests without an id never share a session.
    const other = await chatStream(env.s, { content: 'No id either' });
    expect(other.events[0]!.data.session_id).not.toBe(chatId);
  });

  it('session_id "abc" is stored as websocket_abc and continues on the next call', async () => {
    await chatStream(env.s, { content: 'first', session_id: 'abc' });
    env.fake.enqueue(textReply('Second reply.'));
    const res = await chatStream(env.s, { content: 'second', session_id: 'abc' });
    expect(res.events[0]!.data).toEqual({ session_id: 'abc' });
    expect(res.events.at(-1)!.data.session_id).toBe('abc');
    expect(await historyOf(env.s, 'websocket_abc')).toEqual([
      { role: 'user', content: 'first' }, { role: 'assistant', content: 'Hello from the fake model.' },
      { role: 'user', content: 'second' }, { role: 'assistant', content: 'Second reply.' },
    ]);
    expect(env.fake.requests[1]!.body.messages.filter((m: any) => m.role !== 'system').map((m: any) => m.content))
      .toEqual(['first', 'Hello from the fake model.', 'second']);
  });

  it('a dashboard session websocket_<uuid> is continued by passing the bare uuid', async () => {
    const uuid = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
    const dir = writePocketPawDir({
      [`websocket_${uuid}`]: [{ role: 'user', content: 'From the dashboard' }, { role: 'assistant', content: 'Dashboard answer' }],
    });
    await env.s.importDir(dir);
    const res = await chatStream(env.s, { content: 'Now over REST', session_id: uuid });
    expect(res.events[0]!.data.session_id).toBe(uuid);
    expect(await historyOf(env.s, `websocket_${uuid}`)).toEqual([
      { role: 'user', content: 'From the dashboard' }, { role: 'assistant', content: 'Dashboard answer' },
      { role: 'user', content: 'Now over REST' }, { role: 'assistant', content: 'Hello from the fake model.' },
    ]);
    expect(env.fake.requests[0]!.body.messages.filter((m: any) => m.role !== 'system').map((m: any) => m.content))
      .toEqual(['From the dashboard', 'Dashboard answer', 'Now over REST']);
  });
});

describe('provider failure over SSE', () => {
  it('an HTTP error from the provider becomes a final `error` event and the stream closes', async () => {
    env.fake.enqueue({ status: 500, errorMessage: 'the upstream model exploded' });
    const res = await chatStream(env.s, { content: 'Will fail', session_id: 'sse-fail' });
    expect(res.status).toBe(200);
    const names = res.events.map((e) => e.event);
    expect(names[0]).toBe('stream_start');
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('stream_end');
    const detail = res.events.at(-1)!.data.detail as string;
    expect(Object.keys(res.events.at(-1)!.data)).toEqual(['detail']);
    expect(detail).toContain('the upstream model exploded');
    expect(detail).toContain('500');
    expect(detail).not.toMatch(/\n\s+at /); // no stack trace
    // The user message was stored before the provider was called.
    expect((await historyOf(env.s, 'websocket_sse-fail'))[0]).toEqual({ role: 'user', content: 'Will fail' });
  });

  it('an error mid-stream: chunks so far, then `error` last', async () => {
    env.fake.enqueue({ steps: [{ text: 'Partial words ' }, { error: 'overloaded right now' }] });
    const res = await chatStream(env.s, { content: 'Will break', session_id: 'sse-midfail' });
    const names = res.events.map((e) => e.event);
    expect(names.at(-1)).toBe('error');
    expect(names.filter((n) => n === 'error')).toHaveLength(1);
    expect(names).not.toContain('stream_end');
    expect(chunkText(res.events)).toBe('Partial words ');
    expect(res.events.at(-1)!.data.detail).toContain('overloaded right now');
  });
});
