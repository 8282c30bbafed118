import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat, streamedText } from '../helpers/ws-client.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

// An OpenAI-style key (sk- + 40 characters) arriving in three deltas, and an api_key= value.
const KEY_BODY = 'Zq7Xk2Lm9Np4Rs6Tu8Vw1Ya3Bc5De7Fg9Hj2Kl4M';
const KEY = `sk-${KEY_BODY}`;
const API_VALUE = 'f3a9c1e7b5d2f8a4c6e0b9d1';
const ANSWER = `Your key is ${KEY} and the config says api_key=${API_VALUE} for the service.`;
const PIECES = ['Zq7Xk2Lm9Np4', 'Rs6Tu8Vw1Ya3', 'Bc5De7Fg9Hj2', API_VALUE.slice(0, 12), API_VALUE.slice(12)];

describe('redaction of outbound text (spec §6.1)', () => {
  it('a secret split across deltas never reaches any socket; the stored message keeps it', async () => {
    const sock = await connectChat(env.s.url);
    const observer = await connectChat(env.s.url);
    env.fake.enqueue({
      steps: [
        { text: 'Your key is sk-Zq7Xk2Lm9Np4' }, { delayMs: 20 }, { text: 'Rs6Tu8Vw1Ya3Bc5De7' }, { delayMs: 20 },
        { text: 'Fg9Hj2Kl4M and the config says api_' }, { text: `key=${API_VALUE.slice(0, 12)}` }, { delayMs: 20 },
        { text: `${API_VALUE.slice(12)} for the service.` },
      ],
    });
    const from = sock.frames.length;
    const observerFrom = observer.frames.length;
    sock.send({ action: 'chat', message: 'What is my key?' });
    const frames = await sock.turn(from);

    expect(streamedText(frames)).toBe('Your key is [REDACTED] and the config says api_key=[REDACTED] for the service.');
    // Barrier on the observer: everything the turn broadcast to it has arrived.
    observer.send({ action: 'get_settings' });
    await observer.waitFor((f) => f.type === 'settings', { from: observerFrom });
    const wire = JSON.stringify([...sock.frames, ...observer.frames]);
    for (const piece of PIECES) expect(wire).not.toContain(piece);

    expect(env.s.server.ctx.sessions.rawHistory(sock.sessionId, 10).map((m) => m.content)).toEqual(['What is my key?', ANSWER]);
    // The export a client downloads is redacted.
    const exp = JSON.parse((await env.s.get(`/api/v1/sessions/${sock.sessionId}/export?format=json`)).text);
    expect(exp.messages.map((m: { content: string }) => m.content)).toEqual(['What is my key?', 'Your key is [REDACTED] and the config says api_key=[REDACTED] for the service.']);
    sock.close();
    observer.close();
  });

  it('a secret in a provider error message is redacted in both error frames', async () => {
    const sock = await connectChat(env.s.url);
    env.fake.enqueue({ status: 401, errorMessage: `Incorrect API key provided: ${KEY}` });
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'hi' });
    const frames = await sock.turn(from);
    const err = frames.find((f) => f.event_type === 'tool_result')!;
    expect(err.data.result).toContain('[REDACTED]');
    expect(JSON.stringify(frames)).not.toContain(KEY_BODY.slice(0, 12));
    sock.close();
  });

  it('secrets in tool arguments and results are redacted in tool_start / tool_result', async () => {
    const sock = await connectChat(env.s.url);
    const secret = 'a1B2c3D4e5F6g7H8i9J0k1';
    env.fake.enqueue(toolCallReply('current_time', { timezone: `token=${secret}` }), textReply('Done.'));
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'time' });
    const frames = await sock.turn(from);
    const start = frames.find((f) => f.event_type === 'tool_start')!;
    expect(start.data.params).toEqual({ timezone: 'token=[REDACTED]' });
    // The tool's answer quotes the bad time zone: redacted as well.
    expect(frames.find((f) => f.event_type === 'tool_result')!.data.result).toContain('token=[REDACTED]');
    expect(JSON.stringify(frames)).not.toContain(secret);
    sock.close();
  });

  it('the live session summaries (title, preview) are redacted too', async () => {
    const sock = await connectChat(env.s.url);
    env.fake.enqueue(textReply(`Here: ${KEY}`));
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: `remember ${KEY}` });
    const frames = await sock.turn(from);
    const updates = frames.filter((f) => f.type === 'session_updated');
    expect(updates.length).toBeGreaterThan(0);
    expect(JSON.stringify(updates)).not.toContain(KEY_BODY.slice(0, 12));
    expect(updates.at(-1)!.session.preview).toBe('Here: [REDACTED]');
    sock.close();
  });
});
