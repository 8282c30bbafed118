import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply, type FakeResponse, type RecordedRequest } from '../helpers/fake-llm/index.js';
import { connectChat, ownFrames, streamedText, type ChatSocket } from '../helpers/ws-client.js';

const MARKER = '\n\n[Response interrupted]';
const repeat = (w: string, n: number) => `${w} `.repeat(n);

/** The text of the last user message of a model request. */
function lastUser(req: RecordedRequest): string {
  const users = (req.body.messages as { role: string; content: unknown }[]).filter((m) => m.role === 'user');
  const c = users.at(-1)?.content;
  return typeof c === 'string' ? c : JSON.stringify(c);
}

/** Replies chosen by the user's words, so concurrent requests get the right script whatever their order. */
function byMessage(table: Record<string, FakeResponse>): (req: RecordedRequest) => FakeResponse {
  return (req) => {
    const hit = Object.entries(table).find(([k]) => lastUser(req).includes(k));
    return hit ? hit[1] : textReply('unexpected request');
  };
}

async function history(env: ChatTestEnv, id: string, atLeast = 2): Promise<{ role: string; content: string }[]> {
  for (;;) {
    const h = (await env.s.get(`/api/v1/sessions/${id}/history`)).body as { role: string; content: string }[];
    if (h.length >= atLeast) return h;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sockets: ChatSocket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe('default limit (5 concurrent conversations)', () => {
  let env: ChatTestEnv;
  beforeEach(async () => {
    env ??= await startChatServer('openai');
    env.fake.reset();
  });
  afterAll(() => env?.close());

  it('two sockets in different sessions stream at the same time, each getting only its own chunks', async () => {
    const a = await connectChat(env.s.url);
    const b = await connectChat(env.s.url);
    sockets.push(a, b);
    // Both answers stream ten words and then hang: both turns are provably running at once
    // once each socket has its ten words, and stay running until stopped.
    const alpha = repeat('alpha', 10);
    const beta = repeat('beta', 10);
    env.fake.setDefault(byMessage({
      'from A': { steps: [...textReply(alpha, { delayMs: 15 }).steps!, { hang: true }] },
      'from B': { steps: [...textReply(beta, { delayMs: 15 }).steps!, { hang: true }] },
    }));
    const fromA = a.frames.length;
    const fromB = b.frames.length;
    a.send({ action: 'chat', message: 'from A' });
    b.send({ action: 'chat', message: 'from B' });
    await a.waitFor(() => streamedText(a.frames.slice(fromA)) === alpha);
    await b.waitFor(() => streamedText(b.frames.slice(fromB)) === beta);
    a.send({ action: 'stop' });
    b.send({ action: 'stop' });
    const turnA = ownFrames(await a.turn(fromA));
    const turnB = ownFrames(await b.turn(fromB));
    await env.fake.waitForAbort(0);
    await env.fake.waitForAbort(1);

    expect(streamedText(turnA)).toBe(alpha);
    expect(streamedText(turnB)).toBe(beta);
    expect(turnA.filter((f) => f.type === 'stream_end')).toHaveLength(1);
    expect(turnB.filter((f) => f.type === 'stream_end')).toHaveLength(1);
    expect((await history(env, a.sessionId))[1]!.content).toBe(alpha + MARKER);
    expect((await history(env, b.sessionId))[1]!.content).toBe(beta + MARKER);
  });

  it('a turn in another session completes while the first one is still running', async () => {
    const a = await connectChat(env.s.url);
    const b = await connectChat(env.s.url);
    sockets.push(a, b);
    env.fake.setDefault(byMessage({
      'slow A': { steps: [{ text: 'working ' }, { hang: true }] },
      'quick B': textReply('Quick answer.'),
    }));
    const fromA = a.frames.length;
    a.send({ action: 'chat', message: 'slow A' });
    await a.waitFor((f) => f.type === 'message', { from: fromA });
    const fromB = b.frames.length;
    b.send({ action: 'chat', message: 'quick B' });
    expect(streamedText(await b.turn(fromB))).toBe('Quick answer.');
    // A is still running: it has not ended and its request is still open.
    expect(a.frames.slice(fromA).some((f) => f.type === 'stream_end')).toBe(false);
    expect(env.fake.requests[0]!.aborted).toBe(false);
    a.send({ action: 'stop' });
    await a.turn(fromA);
  });

  it('two chats sent at once on one socket run one after the other; the second prompt sees the first answer', async () => {
    const sock = await connectChat(env.s.url);
    sockets.push(sock);
    env.fake.enqueue(textReply(repeat('first', 8), { delayMs: 15 }), textReply(repeat('second', 8), { delayMs: 15 }));
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'one' });
    sock.send({ action: 'chat', message: 'two' });
    await sock.waitFor((f) => f.type === 'stream_end', { from });
    const firstEnd = sock.frames.indexOf(sock.frames.slice(from).find((f) => f.type === 'stream_end')!, from);
    const secondTurn = await sock.turn(firstEnd + 1);
    const firstTurn = sock.frames.slice(from, firstEnd + 1);

    expect(streamedText(firstTurn)).toBe(repeat('first', 8));
    expect(streamedText(secondTurn)).toBe(repeat('second', 8));
    // Serialized: the second model call was made after the first answer was stored.
    const reqs = await env.fake.waitForRequests(2);
    expect(reqs[1]!.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: repeat('first', 8) },
      { role: 'user', content: 'two' },
    ]);
    expect(reqs[0]!.body.messages.slice(1)).toEqual([{ role: 'user', content: 'one' }]);
  });
});

describe('max_concurrent_conversations = 1', () => {
  let env: ChatTestEnv;
  beforeEach(async () => {
    env ??= await startChatServer('openai', { env: { POCKETPAW_MAX_CONCURRENT_CONVERSATIONS: '1' } });
    env.fake.reset();
  });
  afterAll(() => env?.close());

  it('a second session waits for the running turn to end before its model call starts', async () => {
    const a = await connectChat(env.s.url);
    const b = await connectChat(env.s.url);
    sockets.push(a, b);
    const alpha = repeat('alpha', 20);
    env.fake.enqueue(textReply(alpha, { delayMs: 25 }), toolCallReply('current_time', {}), textReply('beta done'));
    const fromA = a.frames.length;
    a.send({ action: 'chat', message: 'from A' });
    await a.waitFor((f) => f.type === 'message', { from: fromA });
    const fromB = b.frames.length;
    b.send({ action: 'chat', message: 'from B' });
    expect(streamedText(await b.turn(fromB))).toBe('beta done');
    expect(streamedText(await a.turn(fromA))).toBe(alpha);

    // A's socket sees its own frames and every broadcast in the order the server sent them:
    // B was accepted (its thinking event) while A ran, and B's model work (its tool call)
    // started only after A's stream_end.
    const seen = a.frames.slice(fromA);
    const bThinking = seen.findIndex((f) => f.event_type === 'thinking' && f.data.session_key === `websocket:${b.chatId}`);
    const aEnd = seen.findIndex((f) => f.type === 'stream_end');
    const bTool = seen.findIndex((f) => f.event_type === 'tool_start');
    expect(bThinking).toBeGreaterThan(-1);
    expect(bThinking).toBeLessThan(aEnd);
    expect(aEnd).toBeLessThan(bTool);
    const reqs = await env.fake.waitForRequests(3);
    expect(reqs.map(lastUser)).toEqual(['from A', 'from B', 'from B']);
  });

  it('stop on a turn still waiting for a slot ends it without a model call', async () => {
    const a = await connectChat(env.s.url);
    const b = await connectChat(env.s.url);
    sockets.push(a, b);
    env.fake.enqueue({ steps: [{ text: 'busy ' }, { hang: true }] });
    const fromA = a.frames.length;
    a.send({ action: 'chat', message: 'occupy the slot' });
    await a.waitFor((f) => f.type === 'message', { from: fromA });
    const fromB = b.frames.length;
    b.send({ action: 'chat', message: 'never mind' });
    await b.waitFor((f) => f.event_type === 'thinking' && f.data.session_key === `websocket:${b.chatId}`, { from: fromB });
    b.send({ action: 'stop' });
    const turnB = ownFrames(await b.turn(fromB));
    expect(turnB.filter((f) => f.type === 'message')).toEqual([]);
    expect((await history(env, b.sessionId, 1)).map((m) => m.role)).toEqual(['user']);
    // A is untouched and still running; stopping it frees the slot for nobody in particular.
    expect(env.fake.requests[0]!.aborted).toBe(false);
    a.send({ action: 'stop' });
    await a.turn(fromA);
    expect(env.fake.requests).toHaveLength(1);
  });

  it('a stopped turn frees the slot for the waiting one', async () => {
    const a = await connectChat(env.s.url);
    const b = await connectChat(env.s.url);
    sockets.push(a, b);
    env.fake.enqueue({ steps: [{ text: 'stuck ' }, { hang: true }] }, textReply('Your turn now.'));
    const fromA = a.frames.length;
    a.send({ action: 'chat', message: 'hang please' });
    await a.waitFor((f) => f.type === 'message', { from: fromA });
    const fromB = b.frames.length;
    b.send({ action: 'chat', message: 'waiting' });
    await a.waitFor((f) => f.event_type === 'thinking' && f.data.session_key === `websocket:${b.chatId}`, { from: fromA });
    a.send({ action: 'stop' });
    await a.turn(fromA);
    expect(streamedText(await b.turn(fromB))).toBe('Your turn now.');
    await env.fake.waitForAbort(0);
    expect(env.fake.requests).toHaveLength(2);
  });
});
