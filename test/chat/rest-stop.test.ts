import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { chunkText, historyOf, openChatStream, waitUntil } from './rest-helpers.js';

// Spec §3.3 (/chat/stop), §5.1 (the stream closes on stop).

let env: ChatTestEnv;
beforeAll(async () => {
  // One conversation at a time, so a second chat has to wait for a slot.
  env = await startChatServer('openai', { env: { POCKETPAW_MAX_CONCURRENT_CONVERSATIONS: '1' } });
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

const stop = (chatId: string) => env.s.post(`/api/v1/chat/stop?session_id=${encodeURIComponent(chatId)}`);

describe('POST /api/v1/chat/stop', () => {
  it('ends an open stream; the partial answer is stored with the interrupted marker', async () => {
    env.fake.enqueue({ steps: [{ text: 'Partial ' }, { text: 'answer. ' }, { hang: true }] });
    const sse = await openChatStream(env.s, { content: 'Talk forever', session_id: 'stop-me' });
    expect(sse.status).toBe(200);
    // Streaming is incremental: these chunks arrive while the provider is still sending.
    await sse.waitFor(() => chunkText(sse.events) === 'Partial answer. ');
    const res = await stop('stop-me');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'ok', session_id: 'stop-me' });
    await sse.ended;
    expect(sse.events.at(-1)).toEqual({ event: 'stream_end', data: { session_id: 'stop-me', usage: {} } });
    expect(sse.events.filter((e) => e.event === 'stream_end')).toHaveLength(1);
    expect(sse.events.map((e) => e.event)).not.toContain('error');
    // The provider request is cancelled too.
    await env.fake.waitForAbort(0);
    const history = await waitUntil(async () => {
      const h = await historyOf(env.s, 'websocket_stop-me');
      return h.length === 2 ? h : undefined;
    }, 'the partial answer to be stored');
    expect(history).toEqual([
      { role: 'user', content: 'Talk forever' },
      { role: 'assistant', content: 'Partial answer. \n\n[Response interrupted]' },
    ]);
    // Nothing is streaming any more.
    expect((await stop('stop-me')).status).toBe(404);
  });

  it('404 when no stream is open for the chat id, 400 without a session_id', async () => {
    const none = await stop('nothing-here');
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ detail: 'No active stream for this session' });
    for (const path of ['/api/v1/chat/stop', '/api/v1/chat/stop?session_id=']) {
      const missing = await env.s.post(path);
      expect(missing.status, path).toBe(400);
      expect(missing.body).toEqual({ detail: 'session_id is required' });
    }
  });

  it('ends a stream whose turn is still waiting for a free slot', async () => {
    env.fake.enqueue({ steps: [{ text: 'Holding ' }, { text: 'the slot. ' }, { hang: true }] });
    const first = await openChatStream(env.s, { content: 'I take the only slot', session_id: 'slot-holder' });
    await first.waitFor((e) => e.event === 'chunk');
    const second = await openChatStream(env.s, { content: 'I have to wait', session_id: 'slot-waiter' });
    await second.waitFor((e) => e.event === 'stream_start');
    await waitUntil(async () => (await historyOf(env.s, 'websocket_slot-waiter')).length === 1, 'the waiting turn to store its message');
    const res = await stop('slot-waiter');
    expect(res.status, res.text).toBe(200);
    // The waiting stream ends now, while the first turn still holds the slot.
    await second.ended;
    expect(second.events.map((e) => e.event)).toEqual(['stream_start', 'stream_end']);
    expect(first.events.at(-1)!.event).toBe('chunk');
    expect(env.fake.requests).toHaveLength(1);

    expect((await stop('slot-holder')).status).toBe(200);
    await first.ended;
    await waitUntil(async () => (await historyOf(env.s, 'websocket_slot-holder')).length === 2, 'the holder’s partial answer');
    // The stopped waiter never produced an answer, and no model call is left running.
    await waitUntil(() => env.fake.requests.every((r) => r.aborted || r !== env.fake.requests[0]), 'the holder request to be cancelled');
    expect(await historyOf(env.s, 'websocket_slot-waiter')).toEqual([{ role: 'user', content: 'I have to wait' }]);
  });

  it('a client that disconnects mid-stream does not stop the answer from being stored', async () => {
    env.fake.enqueue({ steps: [{ text: 'Before ' }, { text: 'leaving. ' }, { delayMs: 600 }, { text: 'After ' }, { text: 'leaving.' }] });
    const sse = await openChatStream(env.s, { content: 'I will close the tab', session_id: 'gone-client' });
    await sse.waitFor((e) => e.event === 'chunk');
    sse.destroy();
    await sse.ended;
    const history = await waitUntil(async () => {
      const h = await historyOf(env.s, 'websocket_gone-client');
      return h.length === 2 ? h : undefined;
    }, 'the assistant message to be stored');
    expect(history[1]).toMatchObject({ role: 'assistant', content: 'Before leaving. After leaving.' });
    expect(env.fake.requests[0]!.aborted).toBe(false);
    // Once stored, there is no stream left to stop.
    expect((await stop('gone-client')).status).toBe(404);
  });
});
