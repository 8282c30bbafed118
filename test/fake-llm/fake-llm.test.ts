import http from 'node:http';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, stepCountIs, streamText, tool, type LanguageModel } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeLlm, textReply, toolCallReply, type FakeLlm } from '../helpers/fake-llm/index.js';

// Unknown model ids ('claude-test') make the SDK warn on every call; keep test output readable.
globalThis.AI_SDK_LOG_WARNINGS = false;

let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm();
});
afterEach(() => fake.reset());
afterAll(async () => {
  await fake.close();
});

const openai = () => createOpenAI({ baseURL: fake.openaiBaseUrl, apiKey: 'test' }).chat('gpt-test');
const anthropic = () => createAnthropic({ baseURL: fake.anthropicBaseUrl, apiKey: 'test' })('claude-test');
const compat = (includeUsage = false) =>
  createOpenAICompatible({ name: 'compat', baseURL: fake.openaiBaseUrl, apiKey: 'x', includeUsage })('m');

/** Collects every part of a streamText fullStream. */
async function parts(result: { fullStream: AsyncIterable<any> }): Promise<any[]> {
  const out: any[] = [];
  for await (const p of result.fullStream) out.push(p);
  return out;
}

const textOf = (ps: any[]) =>
  ps
    .filter((p) => p.type === 'text-delta')
    .map((p) => p.text)
    .join('');
const reasoningOf = (ps: any[]) =>
  ps
    .filter((p) => p.type === 'reasoning-delta')
    .map((p) => p.text)
    .join('');
const errorsOf = (ps: any[]) => ps.filter((p) => p.type === 'error').map((p) => p.error);

function weatherTool(calls: unknown[]) {
  return tool({
    description: 'Get the weather for a city',
    inputSchema: z.object({ city: z.string(), days: z.number().optional() }),
    execute: async (input) => {
      calls.push(input);
      return { forecast: `sunny in ${input.city}` };
    },
  });
}

/** A fetch of an NDJSON endpoint, parsed line by line. */
async function ndjson(path: string, body: unknown): Promise<{ status: number; contentType: string | null; lines: any[] }> {
  const res = await fetch(`${fake.ollamaHost}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { unparseable: l };
      }
    });
  return { status: res.status, contentType: res.headers.get('content-type'), lines };
}

describe('OpenAI chat completions via @ai-sdk/openai', () => {
  it('streams text deltas in order, with finish reason and usage', async () => {
    fake.enqueue({ ...textReply('The quick brown fox jumps.'), usage: { input: 12, output: 7 } });
    const result = streamText({ model: openai(), prompt: 'hi' });
    const ps = await parts(result);
    expect(textOf(ps)).toBe('The quick brown fox jumps.');
    expect(ps.filter((p) => p.type === 'text-delta').length).toBe(5);
    expect(await result.finishReason).toBe('stop');
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(12);
    expect(usage.outputTokens).toBe(7);
    expect(usage.totalTokens).toBe(19);

    const [req] = fake.requests;
    expect(req?.provider).toBe('openai');
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.stream).toBe(true);
    expect(req?.aborted).toBe(false);
    expect(req?.body.model).toBe('gpt-test');
    expect(req?.body.stream_options).toEqual({ include_usage: true });
    expect(req?.headers.authorization).toBe('Bearer test');
    expect(req?.body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('uses the default reply when nothing is queued', async () => {
    const result = streamText({ model: openai(), prompt: 'hi' });
    expect(await result.text).toBe('Hello from the fake model.');
  });

  it('runs a tool round trip (streamText, stopWhen)', async () => {
    fake.enqueue(toolCallReply('weather', { city: 'Paris', days: 3 }), (req) => {
      const toolMsg = req.body.messages.find((m: any) => m.role === 'tool');
      return textReply(`Tool said: ${toolMsg?.content}`);
    });
    const calls: unknown[] = [];
    const result = streamText({
      model: openai(),
      prompt: 'weather in Paris?',
      tools: { weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    const ps = await parts(result);
    expect(errorsOf(ps)).toEqual([]);
    expect(calls).toEqual([{ city: 'Paris', days: 3 }]);
    const call = ps.find((p) => p.type === 'tool-call');
    expect(call).toMatchObject({ toolName: 'weather', input: { city: 'Paris', days: 3 } });
    expect(call.toolCallId).toMatch(/^call_\d+$/);
    expect(ps.find((p) => p.type === 'tool-result')?.output).toEqual({ forecast: 'sunny in Paris' });
    expect(await result.text).toBe('Tool said: {"forecast":"sunny in Paris"}');
    expect((await result.steps).length).toBe(2);
    expect((await result.steps)[0]?.finishReason).toBe('tool-calls');

    expect(fake.requests).toHaveLength(2);
    const second = fake.requests[1]!.body;
    expect(second.tools[0].function.name).toBe('weather');
    const assistant = second.messages.find((m: any) => m.role === 'assistant');
    expect(assistant.tool_calls[0]).toMatchObject({
      id: call.toolCallId,
      type: 'function',
      function: { name: 'weather', arguments: '{"city":"Paris","days":3}' },
    });
    expect(second.messages.find((m: any) => m.role === 'tool').tool_call_id).toBe(call.toolCallId);
    const total = await result.totalUsage;
    expect(total.inputTokens).toBeGreaterThan(0);
    expect(total.outputTokens).toBeGreaterThan(0);
  });

  it('keeps explicit tool call ids and streams text + several tool calls in one response', async () => {
    fake.enqueue(
      {
        steps: [
          { text: 'Checking both. ' },
          { toolCall: { id: 'call_a', name: 'weather', args: { city: 'Oslo' } } },
          { toolCall: { id: 'call_b', name: 'weather', args: { city: 'Rome' } } },
        ],
      },
      textReply('Done.'),
    );
    const calls: unknown[] = [];
    const result = streamText({
      model: openai(),
      prompt: 'x',
      tools: { weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    const ps = await parts(result);
    expect(ps.filter((p) => p.type === 'tool-call').map((p) => p.toolCallId)).toEqual(['call_a', 'call_b']);
    expect(calls).toEqual([{ city: 'Oslo' }, { city: 'Rome' }]);
    expect(textOf(ps)).toBe('Checking both. Done.');
  });

  it('answers non-streaming requests (generateText, with a tool round trip)', async () => {
    fake.enqueue({ ...toolCallReply('weather', { city: 'Lima' }, 'call_x'), usage: { input: 20, output: 5 } });
    fake.enqueue({ ...textReply('Warm in Lima.'), usage: { input: 30, output: 4 } });
    const calls: unknown[] = [];
    const result = await generateText({
      model: openai(),
      prompt: 'weather?',
      tools: { weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe('Warm in Lima.');
    expect(calls).toEqual([{ city: 'Lima' }]);
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ toolCallId: 'call_x', toolName: 'weather' });
    expect(result.usage).toMatchObject({ inputTokens: 30, outputTokens: 4 });
    expect(result.totalUsage).toMatchObject({ inputTokens: 50, outputTokens: 9 });
    expect(fake.requests.map((r) => r.stream)).toEqual([false, false]);
  });

  it('turns an HTTP error status into an APICallError', async () => {
    fake.enqueue({ status: 429, errorMessage: 'Slow down' });
    const err = await generateText({ model: openai(), prompt: 'hi', maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(429);
    expect((err as APICallError).message).toBe('Slow down');
    expect(JSON.parse((err as APICallError).responseBody!)).toEqual({
      error: { message: 'Slow down', type: 'requests', code: 'rate_limit_exceeded', param: null },
    });

    fake.enqueue({ status: 401, errorMessage: 'Incorrect API key provided' });
    const ps = await parts(streamText({ model: openai(), prompt: 'hi', maxRetries: 0, onError: () => {} }));
    const [streamErr] = errorsOf(ps);
    expect(APICallError.isInstance(streamErr)).toBe(true);
    expect(streamErr.statusCode).toBe(401);
    expect(streamErr.message).toBe('Incorrect API key provided');
  });

  it('retries a retryable error status, immediately with a retry-after-ms header', async () => {
    fake.enqueue({ status: 503, errorMessage: 'busy', headers: { 'retry-after-ms': '0' } }, textReply('ok now'));
    const result = await generateText({ model: openai(), prompt: 'hi', maxRetries: 1 });
    expect(result.text).toBe('ok now');
    expect(fake.requests).toHaveLength(2);
  });

  it('surfaces a mid-stream error after output as an error part', async () => {
    fake.enqueue({ steps: [{ text: 'partial ' }, { error: 'The server had an error' }, { text: 'never sent' }] });
    const ps = await parts(streamText({ model: openai(), prompt: 'hi', onError: () => {} }));
    expect(textOf(ps)).toBe('partial ');
    const [err] = errorsOf(ps);
    expect(err).toMatchObject({ message: 'The server had an error', type: 'server_error' });
  });

  it('throws an APICallError for an error before any output', async () => {
    fake.enqueue({ steps: [{ error: 'boom' }] });
    const ps = await parts(streamText({ model: openai(), prompt: 'hi', maxRetries: 0, onError: () => {} }));
    const [err] = errorsOf(ps);
    expect(APICallError.isInstance(err)).toBe(true);
    expect(err.message).toBe('boom');
    expect(err.statusCode).toBe(500);
  });

  it('reports garbage lines as parse errors without ending the stream', async () => {
    fake.enqueue({ steps: [{ text: 'a' }, { garbage: '{not json' }, { text: 'b' }] });
    const ps = await parts(streamText({ model: openai(), prompt: 'hi', onError: () => {} }));
    expect(textOf(ps)).toBe('ab');
    expect(errorsOf(ps)).toHaveLength(1);
  });

  it('marks a request aborted when the client aborts a hung stream', async () => {
    fake.enqueue({ steps: [{ text: 'first ' }, { hang: true }] });
    const controller = new AbortController();
    const result = streamText({ model: openai(), prompt: 'hi', abortSignal: controller.signal, onError: () => {} });
    const seen: any[] = [];
    for await (const p of result.fullStream) {
      seen.push(p);
      if (p.type === 'text-delta') controller.abort();
    }
    expect(textOf(seen)).toBe('first ');
    expect(seen.at(-1)?.type).toBe('abort');
    await fake.waitForAbort(0);
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('delivers output written before a destroyed socket, then the SDK stream throws', async () => {
    fake.enqueue({ steps: [{ text: 'a' }, { destroy: true }] });
    const result = streamText({ model: openai(), prompt: 'hi', maxRetries: 0, onError: () => {} });
    const seen: any[] = [];
    // A cut connection is not an error part: iterating fullStream rejects.
    const err = await (async () => {
      for await (const p of result.fullStream) seen.push(p);
    })().catch((e: unknown) => e);
    expect(textOf(seen)).toBe('a');
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as Error).message).toBe('Failed to process successful response');
    expect(fake.requests[0]?.aborted).toBe(false);
  });

  it('fails generateText on a destroyed socket, an error step or a garbage body', async () => {
    fake.enqueue({ steps: [{ text: 'a' }, { destroy: true }] });
    await expect(generateText({ model: openai(), prompt: 'hi', maxRetries: 0 })).rejects.toThrow();
    fake.enqueue({ steps: [{ error: 'kaput' }] });
    const err = await generateText({ model: openai(), prompt: 'hi', maxRetries: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 500, message: 'kaput' });
    fake.enqueue({ steps: [{ garbage: '<html>bad gateway</html>' }] });
    await expect(generateText({ model: openai(), prompt: 'hi', maxRetries: 0 })).rejects.toThrow();
  });

  it('honours headersDelayMs and delay steps', async () => {
    fake.enqueue({ ...textReply('one two three', { delayMs: 40 }), headersDelayMs: 100 });
    const started = Date.now();
    const result = streamText({ model: openai(), prompt: 'hi' });
    const stamps: number[] = [];
    for await (const p of result.fullStream) if (p.type === 'text-delta') stamps.push(Date.now() - started);
    expect(stamps).toHaveLength(3);
    // Lower bounds only (a busy host can only add latency): 100 ms headers + 2 × 40 ms pauses.
    expect(stamps[0]).toBeGreaterThanOrEqual(95);
    expect(stamps[2]).toBeGreaterThanOrEqual(175);
  });
});

describe('OpenAI-compatible via @ai-sdk/openai-compatible', () => {
  it('streams reasoning_content as reasoning and text, with usage when includeUsage is set', async () => {
    fake.enqueue({
      steps: [{ reasoning: 'Let me ' }, { reasoning: 'think.' }, { text: 'Answer' }, { text: '!' }],
      usage: { input: 3, output: 4 },
    });
    const result = streamText({ model: compat(true), prompt: 'hi' });
    const ps = await parts(result);
    expect(reasoningOf(ps)).toBe('Let me think.');
    expect(textOf(ps)).toBe('Answer!');
    expect(await result.reasoningText).toBe('Let me think.');
    expect(await result.usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
    expect(fake.requests[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it('gets no usage in streams without includeUsage (no stream_options sent)', async () => {
    fake.enqueue(textReply('x'));
    const result = streamText({ model: compat(false), prompt: 'hi' });
    await parts(result);
    expect(fake.requests[0]?.body.stream_options).toBeUndefined();
    expect((await result.usage).inputTokens).toBeUndefined();
  });

  it('runs a tool round trip', async () => {
    fake.enqueue(toolCallReply('weather', { city: 'Kyiv' }), textReply('Fine.'));
    const calls: unknown[] = [];
    const result = streamText({
      model: compat(),
      prompt: 'x',
      tools: { weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    expect(await result.text).toBe('Fine.');
    expect(calls).toEqual([{ city: 'Kyiv' }]);
  });

  it('answers generateText with reasoning', async () => {
    fake.enqueue({ steps: [{ reasoning: 'hmm' }, { text: 'yes' }] });
    const result = await generateText({ model: compat(), prompt: 'x' });
    expect(result.text).toBe('yes');
    expect(result.reasoningText).toBe('hmm');
  });
});

describe('Anthropic messages via @ai-sdk/anthropic', () => {
  it('streams text with usage and finish reason', async () => {
    fake.enqueue({ ...textReply('Bonjour tout le monde'), usage: { input: 9, output: 6 } });
    const result = streamText({ model: anthropic(), prompt: 'hi' });
    const ps = await parts(result);
    expect(errorsOf(ps)).toEqual([]);
    expect(textOf(ps)).toBe('Bonjour tout le monde');
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 9, outputTokens: 6, totalTokens: 15 });
    const [req] = fake.requests;
    expect(req).toMatchObject({ provider: 'anthropic', path: '/v1/messages', stream: true });
    expect(req?.headers['x-api-key']).toBe('test');
    expect(req?.headers['anthropic-version']).toBeTruthy();
    expect(req?.body.model).toBe('claude-test');
  });

  it('streams thinking as reasoning (with signature) before text', async () => {
    fake.enqueue({ steps: [{ reasoning: 'Considering' }, { reasoning: ' options.' }, { text: 'Pick B.' }] });
    const result = streamText({ model: anthropic(), prompt: 'hi' });
    const ps = await parts(result);
    expect(reasoningOf(ps)).toBe('Considering options.');
    expect(textOf(ps)).toBe('Pick B.');
    const reasoning = await result.reasoning;
    expect(reasoning[0]?.providerMetadata?.anthropic?.signature).toBeTruthy();
  });

  it('runs a tool round trip (streamText, stopWhen)', async () => {
    fake.enqueue(
      { steps: [{ reasoning: 'need weather' }, { text: 'Let me check.' }, { toolCall: { name: 'weather', args: { city: 'Tokyo' } } }] },
      (req) => {
        const last = req.body.messages.at(-1);
        const result = last.content.find((c: any) => c.type === 'tool_result');
        return textReply(`Result: ${JSON.stringify(result?.content)}`);
      },
    );
    const calls: unknown[] = [];
    const result = streamText({
      model: anthropic(),
      prompt: 'weather?',
      tools: { weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    const ps = await parts(result);
    expect(errorsOf(ps)).toEqual([]);
    expect(calls).toEqual([{ city: 'Tokyo' }]);
    const call = ps.find((p) => p.type === 'tool-call');
    expect(call).toMatchObject({ toolName: 'weather', input: { city: 'Tokyo' } });
    expect((await result.steps)[0]?.finishReason).toBe('tool-calls');
    expect(await result.text).toContain('sunny in Tokyo');

    const second = fake.requests[1]!.body;
    const assistant = second.messages.find((m: any) => m.role === 'assistant');
    expect(assistant.content.find((c: any) => c.type === 'tool_use')).toMatchObject({
      id: call.toolCallId,
      name: 'weather',
      input: { city: 'Tokyo' },
    });
    expect(second.messages.at(-1).content[0]).toMatchObject({ type: 'tool_result', tool_use_id: call.toolCallId });
  });

  it('answers non-streaming requests (generateText, with a tool round trip)', async () => {
    fake.enqueue(
      { steps: [{ reasoning: 'thinking' }, { toolCall: { id: 'toolu_1', name: 'weather', args: { city: 'Cairo' } } }], usage: { input: 11, output: 3 } },
      { ...textReply('Hot.'), usage: { input: 15, output: 2 } },
    );
    const calls: unknown[] = [];
    const result = await generateText({
      model: anthropic(),
      prompt: 'weather?',
      tools: { weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe('Hot.');
    expect(calls).toEqual([{ city: 'Cairo' }]);
    expect(result.steps[0]?.reasoningText).toBe('thinking');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ toolCallId: 'toolu_1' });
    expect(result.totalUsage).toMatchObject({ inputTokens: 26, outputTokens: 5 });
    expect(fake.requests.map((r) => r.stream)).toEqual([false, false]);
  });

  it('turns an HTTP error status into an APICallError', async () => {
    fake.enqueue({ status: 400, errorMessage: 'prompt is too long' });
    const err = await generateText({ model: anthropic(), prompt: 'hi', maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(400);
    expect((err as APICallError).message).toBe('prompt is too long');
    expect((err as APICallError).data).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'prompt is too long' },
    });

    fake.enqueue({ status: 529, errorMessage: 'Overloaded' });
    const ps = await parts(streamText({ model: anthropic(), prompt: 'hi', maxRetries: 0, onError: () => {} }));
    expect(errorsOf(ps)[0]).toMatchObject({ statusCode: 529, message: 'Overloaded' });
  });

  it('surfaces a mid-stream error event as an error part', async () => {
    fake.enqueue({ steps: [{ text: 'Part' }, { error: 'Overloaded' }] });
    const ps = await parts(streamText({ model: anthropic(), prompt: 'hi', onError: () => {} }));
    expect(textOf(ps)).toBe('Part');
    expect(errorsOf(ps)[0]).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  });

  it('turns an error right after message_start into an error part (no output)', async () => {
    fake.enqueue({ steps: [{ error: 'Overloaded' }] });
    const ps = await parts(streamText({ model: anthropic(), prompt: 'hi', maxRetries: 0, onError: () => {} }));
    expect(textOf(ps)).toBe('');
    expect(errorsOf(ps)[0]).toMatchObject({ message: 'Overloaded' });
  });

  it('marks a request aborted when the client aborts', async () => {
    fake.enqueue({ steps: [{ text: 'a' }, { delayMs: 10_000 }, { text: 'b' }] });
    const controller = new AbortController();
    const result = streamText({ model: anthropic(), prompt: 'hi', abortSignal: controller.signal, onError: () => {} });
    for await (const p of result.fullStream) if (p.type === 'text-delta') controller.abort();
    await fake.waitForAbort(0);
    expect(fake.requests[0]?.aborted).toBe(true);
  });
});

describe('Ollama /api/chat (NDJSON)', () => {
  it('streams NDJSON by default, ending with a done line with counts', async () => {
    fake.enqueue({ ...textReply('Hi there friend'), usage: { input: 8, output: 3 } });
    const { status, contentType, lines } = await ndjson('/api/chat', {
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(status).toBe(200);
    expect(contentType).toBe('application/x-ndjson');
    expect(lines.slice(0, -1).every((l) => l.done === false && l.model === 'llama3.2')).toBe(true);
    expect(lines.slice(0, -1).map((l) => l.message.content).join('')).toBe('Hi there friend');
    expect(lines.at(-1)).toMatchObject({
      model: 'llama3.2',
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 8,
      eval_count: 3,
    });
    expect(typeof lines[0].created_at).toBe('string');
    expect(fake.requests[0]).toMatchObject({ provider: 'ollama', path: '/api/chat', stream: true });
  });

  it('streams thinking and tool calls (arguments as objects)', async () => {
    fake.enqueue({
      steps: [{ reasoning: 'hmm' }, { text: 'ok' }, { toolCall: { name: 'weather', args: { city: 'Bern' } } }],
    });
    const { lines } = await ndjson('/api/chat', { model: 'llama3.2', messages: [], stream: true });
    expect(lines[0].message).toEqual({ role: 'assistant', content: '', thinking: 'hmm' });
    expect(lines[1].message).toEqual({ role: 'assistant', content: 'ok' });
    expect(lines[2].message.tool_calls).toEqual([{ function: { name: 'weather', arguments: { city: 'Bern' } } }]);
    expect(lines[3].done).toBe(true);
  });

  it('answers stream:false with one JSON object', async () => {
    fake.enqueue({ steps: [{ reasoning: 'r' }, { text: 'Hello ' }, { text: 'you' }, { toolCall: { name: 't', args: { a: 1 } } }] });
    const res = await fetch(`${fake.ollamaHost}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen3', messages: [], stream: false }),
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.json();
    expect(body).toMatchObject({
      model: 'qwen3',
      message: { role: 'assistant', content: 'Hello you', thinking: 'r', tool_calls: [{ function: { name: 't', arguments: { a: 1 } } }] },
      done: true,
      done_reason: 'stop',
    });
    expect(body.prompt_eval_count).toBeGreaterThan(0);
    expect(body.eval_count).toBeGreaterThan(0);
    expect(fake.requests[0]?.stream).toBe(false);
  });

  it('sends HTTP errors as {"error"} and mid-stream errors as an error line', async () => {
    fake.enqueue({ status: 404, errorMessage: 'model "nope" not found, try pulling it first' });
    const res = await fetch(`${fake.ollamaHost}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'nope' }) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'model "nope" not found, try pulling it first' });

    fake.enqueue({ steps: [{ text: 'a' }, { garbage: 'not-json' }, { error: 'runner crashed' }] });
    const { lines } = await ndjson('/api/chat', { model: 'x', messages: [] });
    expect(lines).toHaveLength(3);
    expect(lines[1]).toEqual({ unparseable: 'not-json' });
    expect(lines[2]).toEqual({ error: 'runner crashed' });
  });

  it('marks a request aborted when the fetch is aborted mid-stream', async () => {
    fake.enqueue({ steps: [{ text: 'a' }, { hang: true }] });
    const controller = new AbortController();
    const res = await fetch(`${fake.ollamaHost}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [] }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(JSON.parse(new TextDecoder().decode(first.value)).message.content).toBe('a');
    controller.abort();
    await fake.waitForAbort(0);
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('lists models at GET /api/tags', async () => {
    const res = await fetch(`${fake.ollamaHost}/api/tags`);
    expect(await res.json()).toMatchObject({ models: [{ name: 'llama3.2' }] });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('fake server mechanics', () => {
  it('serves responders FIFO across providers, then the default', async () => {
    fake.enqueue(textReply('first'), textReply('second'));
    fake.setDefault(() => textReply('fallback'));
    expect(await generateText({ model: anthropic(), prompt: 'a' }).then((r) => r.text)).toBe('first');
    expect(await generateText({ model: openai(), prompt: 'b' }).then((r) => r.text)).toBe('second');
    expect(await generateText({ model: openai(), prompt: 'c' }).then((r) => r.text)).toBe('fallback');
    const reqs = await fake.waitForRequests(3);
    expect(reqs.map((r) => r.provider)).toEqual(['anthropic', 'openai', 'openai']);
  });

  it('waitForRequests / waitForAbort time out with a clear error', async () => {
    await expect(fake.waitForRequests(1, 50)).rejects.toThrow(/timed out .* 1 request/);
    await expect(fake.waitForAbort(0, 50)).rejects.toThrow(/request #0/);
  });

  it('splits text by words by default or by chunkSize', () => {
    expect(textReply('a bc  d').steps).toEqual([{ text: 'a ' }, { text: 'bc  ' }, { text: 'd' }]);
    expect(textReply('abcdefg', { chunkSize: 3, delayMs: 5 }).steps).toEqual([
      { text: 'abc' },
      { delayMs: 5 },
      { text: 'def' },
      { delayMs: 5 },
      { text: 'g' },
    ]);
  });

  it('returns 404 for unknown routes and 400 for invalid JSON', async () => {
    expect((await fetch(`${fake.url}/nope`)).status).toBe(404);
    const res = await fetch(`${fake.openaiBaseUrl}/chat/completions`, { method: 'POST', body: '{oops' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/not valid JSON/);
  });

  it('closes promptly even with hung streams open', async () => {
    const other = await startFakeLlm();
    other.setDefault({ steps: [{ text: 'x' }, { hang: true }] });
    const req = http.request(`${other.url}/api/chat`, { method: 'POST' });
    const gotData = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        res.once('data', () => resolve());
        res.on('error', () => {});
      });
      req.on('error', reject);
    });
    req.end(JSON.stringify({ model: 'm', messages: [] }));
    await gotData;
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    req.destroy();
  });

  it('streams 100 concurrent responses of 500 tokens per provider', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `t${i}`).join(' ');
    fake.setDefault(textReply(text));
    const cases = [
      { path: '/v1/chat/completions', body: { model: 'm', stream: true }, marker: '"content":' },
      { path: '/v1/messages', body: { model: 'm', stream: true }, marker: '"text_delta"' },
      { path: '/api/chat', body: { model: 'm' }, marker: '"done":false' },
    ];
    for (const { path, body, marker } of cases) {
      const started = Date.now();
      const bodies = await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(`${fake.url}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.text()),
        ),
      );
      // Generous bound: this only catches pathological slowness (the host may be busy).
      expect(Date.now() - started).toBeLessThan(15_000);
      for (const b of bodies) expect(b.split(marker).length - 1).toBe(500);
    }
    expect(fake.requests).toHaveLength(300);
  });

  it('serves concurrent SDK streams independently', async () => {
    fake.setDefault((req) => textReply(`echo ${/n\d+/.exec(JSON.stringify(req.body.messages))?.[0]}`, { chunkSize: 2 }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => streamText({ model: i % 2 ? openai() : anthropic(), prompt: `n${i}` }).text),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => `echo n${i}`));
  });
});
