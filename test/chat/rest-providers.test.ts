import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv, type ProviderUnderTest } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { API_CHAT_ID, chatBlocking, chatStream, chunkText, historyOf, WIRE, wireMessages, wireSystem } from './rest-helpers.js';

const PROVIDERS: ProviderUnderTest[] = ['openai', 'anthropic', 'ollama', 'openai_compatible'];
/** Providers whose SDK model surfaces reasoning deltas from this wire format. */
const REASONING: Record<ProviderUnderTest, boolean> = { openai: false, anthropic: true, ollama: true, openai_compatible: true };

describe.each(PROVIDERS)('REST chat end to end with provider %s', (provider) => {
  let env: ChatTestEnv;
  const wire = WIRE[provider];
  beforeAll(async () => {
    env = await startChatServer(provider);
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  it('streams the answer as SSE chunks and sends model, system prompt and history on the wire', async () => {
    const { s, fake } = env;
    fake.enqueue(textReply('First answer, streamed in pieces.'), textReply('Second answer here.'));
    const first = await chatStream(s, { content: 'Hello model' });
    expect(first.status).toBe(200);
    const chatId = first.events[0]!.data.session_id as string;
    expect(chatId).toMatch(API_CHAT_ID);
    expect(first.events[0]).toEqual({ event: 'stream_start', data: { session_id: chatId } });
    expect(first.events.at(-1)!.event).toBe('stream_end');
    const middle = first.events.slice(1, -1);
    expect(middle.every((e) => e.event === 'chunk' && e.data.type === 'text')).toBe(true);
    expect(middle.length).toBeGreaterThan(1);
    expect(chunkText(first.events)).toBe('First answer, streamed in pieces.');
    const end = first.events.at(-1)!.data;
    expect(end.session_id).toBe(chatId);
    expect(end.usage).toEqual({
      input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: end.usage.input_tokens + end.usage.output_tokens,
    });
    expect(end.usage.output_tokens).toBeGreaterThan(0);

    const second = await chatStream(s, { content: 'And again', session_id: chatId });
    expect(chunkText(second.events)).toBe('Second answer here.');

    expect(fake.requests).toHaveLength(2);
    for (const req of fake.requests) {
      expect(req.provider).toBe(wire.provider);
      expect(req.path).toBe(wire.path);
      expect(req.body.model).toBe(wire.model);
      expect(req.stream).toBe(true);
      const system = wireSystem(req);
      expect(system).toContain('You are PocketPaw');
      expect(system).toContain('Current date and time');
    }
    expect(wireMessages(fake.requests[0]!).map((m) => [m.role, m.text])).toEqual([['user', 'Hello model']]);
    expect(wireMessages(fake.requests[1]!).map((m) => [m.role, m.text])).toEqual([
      ['user', 'Hello model'], ['assistant', 'First answer, streamed in pieces.'], ['user', 'And again'],
    ]);
    expect(await historyOf(s, `websocket_${chatId.replace(':', '_')}`)).toEqual([
      { role: 'user', content: 'Hello model' }, { role: 'assistant', content: 'First answer, streamed in pieces.' },
      { role: 'user', content: 'And again' }, { role: 'assistant', content: 'Second answer here.' },
    ]);
  });

  it('a tool round trip: tool_start and tool_result events, and the result goes back to the model', async () => {
    const { s, fake } = env;
    fake.enqueue(toolCallReply('current_time', {}), textReply('It is now some time.'));
    const res = await chatStream(s, { content: 'What time is it?' });
    const names = res.events.map((e) => e.event);
    expect(names[0]).toBe('stream_start');
    expect(names.at(-1)).toBe('stream_end');
    const start = names.indexOf('tool_start');
    const result = names.indexOf('tool_result');
    expect(start).toBeGreaterThan(0);
    expect(result).toBeGreaterThan(start);
    expect(names.indexOf('chunk')).toBeGreaterThan(result);
    expect(res.events[start]!.data).toEqual({ tool: 'current_time', input: {} });
    expect(res.events[result]!.data).toEqual({ tool: 'current_time', output: expect.stringMatching(/UTC \d{4}-\d\d-\d\dT/) });
    expect(chunkText(res.events)).toBe('It is now some time.');

    expect(fake.requests).toHaveLength(2);
    const tools = fake.requests[0]!.body.tools as any[];
    expect(tools.map((t) => t.name ?? t.function?.name)).toContain('current_time');
    const followUp = wireMessages(fake.requests[1]!);
    expect(followUp.some((m) => m.toolCalls.includes('current_time'))).toBe(true);
    const carried = followUp.flatMap((m) => m.toolResults);
    expect(carried).toHaveLength(1);
    expect(carried[0]).toContain(res.events[result]!.data.output.slice(0, 40));
  });

  it(REASONING[provider] ? 'reasoning deltas arrive as thinking events before the answer' : 'reasoning the SDK does not surface is dropped; the answer is intact', async () => {
    const { s, fake } = env;
    fake.enqueue({ steps: [{ reasoning: 'Let me think. ' }, { reasoning: 'Okay.' }, { text: 'Answer.' }] });
    const res = await chatStream(s, { content: 'Think first' });
    const thinking = res.events.filter((e) => e.event === 'thinking');
    if (!REASONING[provider]) {
      // @ai-sdk/openai's Chat Completions model ignores `reasoning_content`.
      expect(thinking).toEqual([]);
      expect(res.events.map((e) => e.event)).toEqual(['stream_start', 'chunk', 'stream_end']);
      expect(chunkText(res.events)).toBe('Answer.');
      return;
    }
    expect(thinking.map((e) => e.data.content).join('')).toBe('Let me think. Okay.');
    for (const e of thinking) expect(Object.keys(e.data)).toEqual(['content']);
    const firstChunk = res.events.findIndex((e) => e.event === 'chunk');
    expect(res.events.findIndex((e) => e.event === 'thinking')).toBeLessThan(firstChunk);
    expect(chunkText(res.events)).toBe('Answer.');
    // Thinking is shown, not stored as the answer.
    const id = `websocket_${res.events[0]!.data.session_id.replace(':', '_')}`;
    expect((await historyOf(s, id)).at(-1)).toEqual({ role: 'assistant', content: 'Answer.' });
  });

  it('blocking POST /api/v1/chat returns the whole answer with usage', async () => {
    const { s, fake } = env;
    fake.enqueue(textReply('All of it at once.'));
    const res = await chatBlocking(s, { content: 'Blocking please', session_id: `blocking-${provider}` });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      session_id: `blocking-${provider}`, content: 'All of it at once.',
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
    expect(fake.requests[0]!.path).toBe(wire.path);
  });
});
