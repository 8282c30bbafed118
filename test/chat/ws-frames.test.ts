import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat, ownFrames, streamedText, systemEvents, type WsFrame } from '../helpers/ws-client.js';

// Anthropic: the provider whose stream carries reasoning (thinking blocks) to the AI SDK.
let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('anthropic');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

/** Frame kinds in order, with consecutive stream chunks collapsed into one `chunks` entry. */
function shape(frames: WsFrame[]): string[] {
  const out: string[] = [];
  for (const f of frames) {
    if (f.type === 'system_event' && f.event_type === 'audit_entry') continue; // the audit log's live feed (spec §4.4), interleaved by design
    const kind = f.type === 'system_event' ? `system_event:${f.event_type}` : f.type === 'message' && f.is_stream_chunk ? 'chunks' : f.type;
    if (kind === 'chunks' && out.at(-1) === 'chunks') continue;
    out.push(kind);
  }
  return out;
}

describe('WebSocket chat turn frames (spec §4.2)', () => {
  it('reasoning, then text, then usage: thinking / thinking_done / chunks / token_usage / stream_end', async () => {
    const sock = await connectChat(env.s.url);
    const key = `websocket:${sock.chatId}`;
    env.fake.enqueue({
      steps: [{ reasoning: 'The user greets me. ' }, { reasoning: 'Greet back.' }, { text: 'Hello ' }, { text: 'there, ' }, { text: 'friend.' }],
      usage: { input: 12, output: 7 },
    });
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Hi!' });
    const frames = ownFrames(await sock.turn(from));

    // Reasoning deltas may be regrouped (redaction holds back a word that may be a secret).
    const after = shape(frames.slice(2)).filter((k, i, all) => !(k === 'system_event:thinking' && all[i - 1] === k));
    expect(after).toEqual(['system_event:thinking', 'system_event:thinking_done', 'chunks', 'system_event:token_usage', 'stream_end']);
    expect(frames[0]).toEqual({ type: 'stream_start' });
    expect(frames[1]).toEqual({ type: 'system_event', event_type: 'thinking', data: { session_key: key } });
    const thoughts = systemEvents(frames, 'thinking').slice(1);
    for (const t of thoughts) expect(t.data).toEqual({ content: expect.any(String), session_key: key });
    expect(thoughts.map((f) => f.data.content).join('')).toBe('The user greets me. Greet back.');
    expect(systemEvents(frames, 'thinking_done')).toEqual([{ type: 'system_event', event_type: 'thinking_done', data: { session_key: key } }]);
    for (const f of frames.filter((x) => x.type === 'message')) {
      expect(f).toEqual({ type: 'message', content: expect.any(String), is_stream_chunk: true, metadata: {} });
    }
    expect(streamedText(frames)).toBe('Hello there, friend.');
    expect(systemEvents(frames, 'token_usage')[0]!.data).toMatchObject({ input_tokens: 12, output_tokens: 7, total_tokens: 19 });
    expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });

    // Reasoning is not part of the answer.
    const history = await env.s.get(`/api/v1/sessions/${sock.sessionId}/history`);
    expect(history.body).toMatchObject([{ role: 'user', content: 'Hi!' }, { role: 'assistant', content: 'Hello there, friend.' }]);
    sock.close();
  });

  it('a tool call runs the built-in current_time tool: tool_start, tool_result, then the answer', async () => {
    const sock = await connectChat(env.s.url);
    env.fake.enqueue(
      { ...toolCallReply('current_time', { timezone: 'UTC' }), usage: { input: 30, output: 5 } },
      { ...textReply('It is morning in UTC.'), usage: { input: 50, output: 6 } },
    );
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'What time is it?' });
    const frames = ownFrames(await sock.turn(from));

    expect(shape(frames)).toEqual([
      'stream_start', 'system_event:thinking', 'system_event:tool_start', 'system_event:tool_result',
      'chunks', 'system_event:token_usage', 'stream_end',
    ]);
    expect(systemEvents(frames, 'tool_start')[0]).toEqual({
      type: 'system_event', event_type: 'tool_start', data: { name: 'current_time', params: { timezone: 'UTC' } },
    });
    const result = systemEvents(frames, 'tool_result')[0]!;
    expect(result.data).toEqual({ name: 'current_time', result: expect.stringContaining('UTC'), status: 'success' });
    expect(result.data.result.length).toBeLessThanOrEqual(200);
    expect(streamedText(frames)).toBe('It is morning in UTC.');
    // Usage is summed over both model calls of the turn.
    expect(systemEvents(frames, 'token_usage')[0]!.data).toMatchObject({ input_tokens: 80, output_tokens: 11, total_tokens: 91 });

    // The second model call got the tool's output.
    const reqs = await env.fake.waitForRequests(2);
    const toolResult = JSON.stringify(reqs[1]!.body.messages);
    expect(toolResult).toContain('tool_result');
    expect(toolResult).toContain(result.data.result.slice(0, 20));
    const history = await env.s.get(`/api/v1/sessions/${sock.sessionId}/history`);
    expect(history.body).toMatchObject([{ role: 'user', content: 'What time is it?' }, { role: 'assistant', content: 'It is morning in UTC.' }]);
    sock.close();
  });

  it('a secret split across reasoning deltas is redacted in the thinking frames', async () => {
    const sock = await connectChat(env.s.url);
    const key = 'sk-ant-api03-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6';
    env.fake.enqueue({ steps: [{ reasoning: `The key ${key.slice(0, 18)}` }, { reasoning: `${key.slice(18)} is secret. ` }, { text: 'Noted.' }] });
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Think' });
    const frames = await sock.turn(from);
    const thought = systemEvents(frames, 'thinking').slice(1).map((f) => f.data.content).join('');
    expect(thought).toBe('The key [REDACTED] is secret. ');
    expect(JSON.stringify(frames)).not.toContain(key.slice(13, 25));
    sock.close();
  });

  it('thinking and tool events go to every socket; answer chunks only to the chatting one', async () => {
    const sock = await connectChat(env.s.url);
    const other = await connectChat(env.s.url);
    env.fake.enqueue(toolCallReply('current_time', {}), textReply('Done and dusted.'));
    const from = sock.frames.length;
    const otherFrom = other.frames.length;
    sock.send({ action: 'chat', message: 'time please' });
    await sock.turn(from);
    // A round trip on the observer after the turn ended: whatever the turn sent it came before.
    other.send({ action: 'get_settings' });
    const barrier = await other.waitFor((f) => f.type === 'settings', { from: otherFrom });
    const seen = ownFrames(other.frames.slice(otherFrom, other.frames.indexOf(barrier)));
    expect(shape(seen)).toEqual(['system_event:thinking', 'system_event:tool_start', 'system_event:tool_result', 'system_event:token_usage']);
    expect(seen[0]!.data).toEqual({ session_key: `websocket:${sock.chatId}` });
    expect(seen.some((f) => f.type === 'message' || f.type === 'stream_start' || f.type === 'stream_end')).toBe(false);
    sock.close();
    other.close();
  });
});
