import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import type { FakeResponse } from '../helpers/fake-llm/index.js';
import { connectChat, ownFrames, streamedText, systemEvents, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

// A one-second idle timeout, so a silent provider fails fast.
let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai', { env: { POCKETPAW_LLM_IDLE_TIMEOUT_SECONDS: '1' } });
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

async function failingTurn(sock: ChatSocket, response: FakeResponse, message: string): Promise<WsFrame[]> {
  env.fake.enqueue(response);
  const from = sock.frames.length;
  sock.send({ action: 'chat', message });
  return ownFrames(await sock.turn(from, 15_000));
}

/**
 * Spec §4.2 "error": to all sockets a tool_result {name:'agent', status:'error'}; to this socket a
 * message chunk with the same (readable) text; then stream_end. Returns that text.
 */
function expectErrorFrames(frames: WsFrame[], sessionKey: string): string {
  expect(frames[0]).toEqual({ type: 'stream_start' });
  expect(frames[1]).toEqual({ type: 'system_event', event_type: 'thinking', data: { session_key: sessionKey } });
  const errors = systemEvents(frames, 'tool_result');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toEqual({ type: 'system_event', event_type: 'tool_result', data: { name: 'agent', result: expect.any(String), status: 'error' } });
  const text = errors[0]!.data.result as string;
  const at = frames.indexOf(errors[0]!);
  expect(frames[at + 1]).toEqual({ type: 'message', content: text, is_stream_chunk: true, metadata: {} });
  expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });
  expect(frames.filter((f) => f.type === 'stream_end')).toHaveLength(1);
  // Readable, never a stack trace.
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/TypeError|undefined/);
  return text;
}

async function history(id: string): Promise<{ role: string; content: string }[]> {
  return (await env.s.get(`/api/v1/sessions/${id}/history`)).body;
}

describe('provider failures surface as §4.2 error frames and end the turn', () => {
  it('HTTP 500: the provider message in words, the user message stored, the socket still chats', async () => {
    const sock = await connectChat(env.s.url);
    const frames = await failingTurn(sock, { status: 500, errorMessage: 'The server had an error while processing your request' }, 'Hello?');
    const text = expectErrorFrames(frames, `websocket:${sock.chatId}`);
    expect(text).toContain('500');
    expect(text).toContain('The server had an error while processing your request');
    expect(env.fake.requests).toHaveLength(1); // POCKETPAW_LLM_MAX_RETRIES=0
    const h = await history(sock.sessionId);
    expect(h[0]).toMatchObject({ role: 'user', content: 'Hello?' });

    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Try again' });
    expect(streamedText(await sock.turn(from))).toBe('Hello from the fake model.');
    sock.close();
  });

  it('HTTP 401: tells the user to check the key', async () => {
    const sock = await connectChat(env.s.url);
    const frames = await failingTurn(sock, { status: 401, errorMessage: 'Incorrect API key provided' }, 'Hi');
    const text = expectErrorFrames(frames, `websocket:${sock.chatId}`);
    expect(text).toContain('Incorrect API key provided');
    expect(text).toContain('401');
    sock.close();
  });

  it('an error event mid-stream: the text so far, then the error', async () => {
    const sock = await connectChat(env.s.url);
    const frames = await failingTurn(sock, { steps: [{ text: 'Partial answer ' }, { delayMs: 20 }, { error: 'Model overloaded, try later' }] }, 'Explain');
    const text = expectErrorFrames(frames, `websocket:${sock.chatId}`);
    expect(text).toContain('Model overloaded, try later');
    const beforeError = frames.slice(0, frames.findIndex((f) => f.event_type === 'tool_result'));
    expect(streamedText(beforeError)).toBe('Partial answer ');
    const h = await history(sock.sessionId);
    expect(h[0]).toMatchObject({ role: 'user', content: 'Explain' });
    sock.close();
  });

  it('a garbage stream', async () => {
    const sock = await connectChat(env.s.url);
    const frames = await failingTurn(sock, { steps: [{ text: 'Start ' }, { garbage: '{"choices": [ this is not json' }, { text: 'never' }] }, 'Go');
    expectErrorFrames(frames, `websocket:${sock.chatId}`);
    expect(streamedText(frames)).not.toContain('never');
    expect((await history(sock.sessionId))[0]).toMatchObject({ role: 'user', content: 'Go' });
    sock.close();
  });

  it('a provider that goes silent: the idle timeout aborts the request', async () => {
    const sock = await connectChat(env.s.url);
    const frames = await failingTurn(sock, { steps: [{ text: 'Thinking about it ' }, { hang: true }] }, 'Slow one');
    const text = expectErrorFrames(frames, `websocket:${sock.chatId}`);
    expect(text).toMatch(/The OpenAI model stopped responding/);
    await env.fake.waitForAbort(0);
    expect((await history(sock.sessionId))[0]).toMatchObject({ role: 'user', content: 'Slow one' });
    sock.close();
  });

  it('a provider that drops the connection', async () => {
    const sock = await connectChat(env.s.url);
    const frames = await failingTurn(sock, { steps: [{ text: 'Half ' }, { destroy: true }] }, 'Drop');
    expectErrorFrames(frames, `websocket:${sock.chatId}`);
    expect((await history(sock.sessionId))[0]).toMatchObject({ role: 'user', content: 'Drop' });
    sock.close();
  });

  it('the error goes to every socket as a system_event; the text chunk only to the chatting one', async () => {
    const sock = await connectChat(env.s.url);
    const other = await connectChat(env.s.url);
    const otherFrom = other.frames.length;
    await failingTurn(sock, { status: 503, errorMessage: 'Service unavailable' }, 'Anyone?');
    other.send({ action: 'get_settings' });
    const barrier = await other.waitFor((f) => f.type === 'settings', { from: otherFrom });
    const seen = ownFrames(other.frames.slice(otherFrom, other.frames.indexOf(barrier)));
    expect(seen.map((f) => `${f.type}:${f.event_type ?? ''}`)).toEqual(['system_event:thinking', 'system_event:tool_result']);
    expect(seen[1]!.data).toMatchObject({ name: 'agent', status: 'error' });
    sock.close();
    other.close();
  });
});
