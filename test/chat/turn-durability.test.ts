import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat, systemEvents, type WsFrame } from '../helpers/ws-client.js';

// The user's message is stored while the model works on the request (issue 14), never after
// anything of the answer: these fail if a frame, an audit entry or a tool overtakes it.
let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

const stored = (sessionId: string, text: string) => env.s.server.ctx.sessions.rawHistory(sessionId, 50).some((m) => m.role === 'user' && m.content === text);

function kind(f: WsFrame): string {
  if (f.type === 'system_event') return `system_event:${f.event_type}`;
  return f.type === 'message' && f.is_stream_chunk ? 'chunk' : f.type;
}

describe('the user message is on disk before anything of the answer, and frame order is unchanged', () => {
  it('a tool call the model sends at once: every frame of the turn, audit entries included, leaves after the message is stored; the model was asked before', async () => {
    const sock = await connectChat(env.s.url);
    // A first turn loads the AI SDK and the provider, so this one measures the steady state.
    env.fake.enqueue(textReply('Warm.'));
    sock.send({ action: 'chat', message: 'warm up' });
    await sock.turn(sock.frames.length);
    const text = 'What time is it, durably?';
    // At the moment each frame reaches the client (the server shares this thread, so nothing
    // happens on it meanwhile): is the message stored yet?
    const seen: Array<{ kind: string; stored: boolean }> = [];
    sock.ws.on('message', (data) => seen.push({ kind: kind(JSON.parse(data.toString()) as WsFrame), stored: stored(sock.sessionId, text) }));
    const order: string[] = [];
    const sessions = env.s.server.ctx.sessions;
    const append = sessions.appendDurably.bind(sessions);
    sessions.appendDurably = async (...args: Parameters<typeof append>) => {
      const session = await append(...args); // committed and fsync'ed
      if (args[2].some((m) => m.role === 'user')) order.push('user message stored');
      return session;
    };
    const fetch = globalThis.fetch;
    globalThis.fetch = (...args: Parameters<typeof fetch>) => {
      if (String(args[0] instanceof Request ? args[0].url : args[0]).startsWith(env.fake.openaiBaseUrl)) order.push('model asked');
      return fetch(...args);
    };
    try {
      env.fake.enqueue(toolCallReply('current_time', { timezone: 'UTC' }), textReply('It is noon.'));
      const from = sock.frames.length;
      sock.send({ action: 'chat', message: text });
      await sock.turn(from);
    } finally {
      sessions.appendDurably = append;
      globalThis.fetch = fetch;
    }
    expect(order.slice(0, 2)).toEqual(['model asked', 'user message stored']);

    const turn = seen.slice(seen.findIndex((f) => f.kind === 'stream_start'));
    expect(turn.slice(1).every((f) => f.stored)).toBe(true);
    // The turn's frames in the order they always came, the audit log's live feed included.
    const kinds = turn.map((f) => f.kind).filter((k, i, all) => !(k === 'chunk' && all[i - 1] === 'chunk'));
    expect(kinds.filter((k) => k !== 'system_event:audit_entry')).toEqual([
      'stream_start', 'session_updated', 'system_event:thinking', 'system_event:tool_start', 'system_event:tool_result',
      'chunk', 'system_event:token_usage', 'session_updated', 'stream_end',
    ]);
    const audits = kinds.flatMap((k, i) => (k === 'system_event:audit_entry' ? [i] : []));
    expect(audits.length).toBeGreaterThan(0);
    expect(Math.min(...audits)).toBeGreaterThan(kinds.indexOf('system_event:thinking'));
    sock.close();
  });

  it('a message that cannot be stored: the turn fails saying why, and nothing of the answer is sent nor any tool run', async () => {
    const sock = await connectChat(env.s.url);
    const sessions = env.s.server.ctx.sessions;
    const append = sessions.appendDurably.bind(sessions);
    sessions.appendDurably = () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
    let frames: WsFrame[];
    try {
      env.fake.enqueue(toolCallReply('current_time', { timezone: 'UTC' }), textReply('never sent'));
      const from = sock.frames.length;
      sock.send({ action: 'chat', message: 'This will not fit' });
      frames = await sock.turn(from);
    } finally {
      sessions.appendDurably = append;
    }
    expect(frames.map(kind)).toEqual(['stream_start', 'message', 'stream_end']);
    expect(frames[1]).toMatchObject({ content: 'An error occurred: SQLITE_FULL: database or disk is full', notice: 'failure' });
    expect(systemEvents(sock.frames, 'tool_start')).toEqual([]);
    expect(systemEvents(sock.frames, 'audit_entry').filter((f) => JSON.stringify(f).includes('current_time'))).toEqual([]);
    // The tool's result never went back to the model.
    await new Promise((r) => setTimeout(r, 100));
    expect(env.fake.requests.length).toBeLessThanOrEqual(1);
    sock.close();
  });
});
