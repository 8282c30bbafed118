import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv, type ProviderUnderTest } from '../helpers/chat-server.js';
import { chatBlocking, chatStream, chunkText, historyOf } from './rest-helpers.js';

const PROVIDERS: ProviderUnderTest[] = ['openai', 'anthropic', 'ollama', 'openai_compatible'];

/** Provider failures reach the client as readable text, never `[object Object]` or a stack. */
function expectReadable(detail: unknown, mustContain: string): void {
  expect(typeof detail).toBe('string');
  expect(detail).toContain(mustContain);
  expect(detail).not.toContain('[object Object]');
  expect(detail).not.toMatch(/\n\s+at /);
}

/** How the messages name each provider (src/models/provider-errors.ts). */
const SAID: Record<ProviderUnderTest, string> = { openai: 'OpenAI', anthropic: 'Anthropic', ollama: 'Ollama', openai_compatible: 'OpenAI-compatible server' };

describe.each(PROVIDERS)('provider failures with %s', (provider) => {
  let env: ChatTestEnv;
  beforeAll(async () => {
    env = await startChatServer(provider);
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  it('HTTP error: SSE ends with `error {detail}`, blocking answers 502 {detail}', async () => {
    env.fake.enqueue({ status: 503, errorMessage: 'backend is down for maintenance' }, { status: 503, errorMessage: 'backend is down for maintenance' });
    const sse = await chatStream(env.s, { content: 'Fail over SSE' });
    expect(sse.events.at(-1)!.event).toBe('error');
    expect(sse.events.map((e) => e.event)).not.toContain('stream_end');
    expectReadable(sse.events.at(-1)!.data.detail, 'backend is down for maintenance');

    const blocking = await chatBlocking(env.s, { content: 'Fail blocking', session_id: `fail-${provider}` });
    expect(blocking.status).toBe(502);
    expect(Object.keys(blocking.body)).toEqual(['detail']);
    expectReadable(blocking.body.detail, 'backend is down for maintenance');
    expect((await historyOf(env.s, `websocket_fail-${provider}`))[0]).toMatchObject({ role: 'user', content: 'Fail blocking' });
  });

  it('error event mid-stream: SSE ends with a readable `error`, blocking answers 502', async () => {
    const script = { steps: [{ text: 'Some words ' }, { error: 'model overloaded mid-answer' }] };
    env.fake.enqueue(script, script);
    const sse = await chatStream(env.s, { content: 'Break mid-stream' });
    expect(sse.events.at(-1)!.event).toBe('error');
    expect(chunkText(sse.events)).toBe('Some words ');
    expectReadable(sse.events.at(-1)!.data.detail, 'model overloaded mid-answer');

    const blocking = await chatBlocking(env.s, { content: 'Break blocking' });
    expect(blocking.status).toBe(502);
    expectReadable(blocking.body.detail, 'model overloaded mid-answer');
  });

  it('a connection dropped mid-answer ends the turn with an error, not a hang', async () => {
    env.fake.enqueue({ steps: [{ text: 'Fine so far ' }, { destroy: true }] });
    const cut = await chatStream(env.s, { content: 'Connection drop', session_id: `drop-${provider}` });
    expect(cut.events.at(-1)!.event).toBe('error');
    expect(cut.events.map((e) => e.event)).not.toContain('stream_end');
    expectReadable(cut.events.at(-1)!.data.detail, SAID[provider]);
    expect(cut.events.at(-1)!.data.detail).toMatch(/broke off in the middle|Lost the connection/);
  });

  it('an unreadable stream line ends the turn with an error, not a hang', async () => {
    env.fake.enqueue({ steps: [{ text: 'Fine so far ' }, { garbage: '{this is not json' }, { text: 'never shown' }] });
    const bad = await chatStream(env.s, { content: 'Garbage', session_id: `garbage-${provider}` });
    expect(bad.events.at(-1)!.event).toBe('error');
    expectReadable(bad.events.at(-1)!.data.detail, SAID[provider]);
    expect(bad.events.at(-1)!.data.detail).toMatch(/could not read|unreadable/);
  });
});
