import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { connectChat, ownFrames, streamedText } from '../helpers/ws-client.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

const MARKER = '\n\n[Response interrupted]';
const words = (w: string, n: number) => Array.from({ length: n }, (_, i) => `${w}${i} `).join('');

async function history(id: string): Promise<{ role: string; content: string }[]> {
  const body = (await env.s.get(`/api/v1/sessions/${id}/history`)).body as { role: string; content: string }[];
  return body.map(({ role, content }) => ({ role, content }));
}

/** Polls until the session has `n` messages (the turn is stored after its last frame). */
async function historyWith(id: string, n: number): Promise<{ role: string; content: string }[]> {
  for (;;) {
    const h = await history(id);
    if (h.length >= n) return h;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('stop (spec §4.3)', () => {
  it('aborts the provider request, ends with one stream_end, stores the partial answer marked interrupted', async () => {
    const sock = await connectChat(env.s.url);
    const full = words('word', 200);
    env.fake.enqueue(textReply(full, { delayMs: 30 }));
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Tell me a long story' });
    // Two chunks in: the answer is streaming.
    await sock.waitFor((f) => f.type === 'message' && f.content.includes('word1 '), { from });
    sock.send({ action: 'stop' });
    const frames = ownFrames(await sock.turn(from));
    await env.fake.waitForAbort(0);
    expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });

    const shown = streamedText(frames);
    expect(shown.length).toBeGreaterThan(0);
    expect(full.startsWith(shown)).toBe(true);
    expect(shown.length).toBeLessThan(full.length);
    const h = await historyWith(sock.sessionId, 2);
    expect(h).toMatchObject([{ role: 'user', content: 'Tell me a long story' }, { role: 'assistant', content: shown + MARKER }]);

    // Exactly one stream_end for the stopped turn: the next reply follows it directly.
    sock.send({ action: 'get_settings' });
    const settings = await sock.waitFor((f) => f.type === 'settings', { from });
    expect(ownFrames(sock.frames.slice(from, sock.frames.indexOf(settings))).filter((f) => f.type === 'stream_end')).toHaveLength(1);

    // The chat goes on: the interrupted answer is part of the next prompt.
    const next = sock.frames.length;
    sock.send({ action: 'chat', message: 'Go on' });
    expect(streamedText(await sock.turn(next))).toBe('Hello from the fake model.');
    const prompt = JSON.stringify((await env.fake.waitForRequests(2))[1]!.body.messages);
    expect(prompt).toContain('[Response interrupted]');
    sock.close();
  });

  it('stop while the provider has not answered yet: stream_end, nothing but the user message stored', async () => {
    const sock = await connectChat(env.s.url);
    env.fake.enqueue({ steps: [{ hang: true }] });
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Are you there?' });
    await env.fake.waitForRequests(1);
    sock.send({ action: 'stop' });
    const frames = ownFrames(await sock.turn(from));
    await env.fake.waitForAbort(0);
    expect(frames.filter((f) => f.type === 'message')).toEqual([]);
    expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });
    expect(await history(sock.sessionId)).toMatchObject([{ role: 'user', content: 'Are you there?' }]);
    sock.close();
  });

  it('with nothing running, stop answers {"type":"stream_end"}', async () => {
    const sock = await connectChat(env.s.url);
    const from = sock.frames.length;
    sock.send({ action: 'stop' });
    await sock.waitFor((f) => f.type === 'stream_end', { from });
    expect(sock.frames.slice(from)).toEqual([{ type: 'stream_end' }]);
    expect(env.fake.requests).toHaveLength(0);
    sock.close();
  });
});

describe('disconnects and reconnects', () => {
  it('a client that goes away mid-stream does not stop the turn: the whole answer is stored', async () => {
    const sock = await connectChat(env.s.url);
    const full = words('chunk', 20);
    env.fake.enqueue(textReply(full, { delayMs: 20 }));
    sock.send({ action: 'chat', message: 'Write twenty words' });
    await sock.waitFor((f) => f.type === 'message' && f.is_stream_chunk);
    sock.close();
    await sock.closed;
    const h = await historyWith(sock.sessionId, 2);
    expect(h).toMatchObject([{ role: 'user', content: 'Write twenty words' }, { role: 'assistant', content: full }]);
    expect(env.fake.requests[0]!.aborted).toBe(false);
  });

  it('a reconnect with resume_session gets the history and takes over the running turn', async () => {
    const first = await connectChat(env.s.url);
    env.fake.enqueue({ steps: [{ text: 'First part. ' }, { hang: true }] });
    first.send({ action: 'chat', message: 'Start something' });
    await first.waitFor((f) => f.type === 'message' && f.content.includes('First part.'));
    first.close();
    await first.closed;

    const again = await connectChat(`${env.s.url}/ws?resume_session=${first.sessionId}`);
    expect(again.chatId).toBe(first.chatId);
    const hist = await again.waitFor((f) => f.type === 'session_history');
    expect(hist).toMatchObject({ type: 'session_history', session_id: first.sessionId, messages: [{ role: 'user', content: 'Start something' }] });
    // The running turn now reports to this socket: stop reaches it and its stream_end comes here.
    const from = again.frames.length;
    again.send({ action: 'stop' });
    expect(ownFrames(await again.turn(from)).at(-1)).toMatchObject({ type: 'stream_end' });
    await env.fake.waitForAbort(0);
    const h = await historyWith(first.sessionId, 2);
    expect(h[1]).toEqual({ role: 'assistant', content: `First part. ${MARKER}` });
    again.close();
  });

  it('resume_session naming no stored session keeps a fresh chat id silently', async () => {
    const sock = await connectChat(`${env.s.url}/ws?resume_session=websocket_does-not-exist`);
    expect(sock.chatId).not.toBe('does-not-exist');
    expect(sock.chatId).toMatch(/^[0-9a-f-]{36}$/);
    sock.send({ action: 'get_settings' });
    await sock.waitFor((f) => f.type === 'settings');
    expect(sock.frames.map((f) => f.type)).toEqual(['connection_info', 'settings']);
    sock.close();
  });
});
