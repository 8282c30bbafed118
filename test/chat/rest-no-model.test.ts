import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, textReply, type FakeLlm } from '../helpers/fake-llm/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { chatBlocking, chatStream, chunkText, historyOf } from './rest-helpers.js';

/** A localhost port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const CLEAN = { POCKETPAW_LLM_MAX_RETRIES: '0', POCKETPAW_AUTO_TITLE_LLM: 'false' };

let fake: FakeLlm;
let deadOllama: string;
beforeAll(async () => {
  fake = await startFakeLlm();
  deadOllama = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(() => fake.close());

function expectHint(text: string): void {
  for (const name of ['POCKETPAW_ANTHROPIC_API_KEY', 'POCKETPAW_OPENAI_API_KEY', 'POCKETPAW_OLLAMA_HOST', 'POCKETPAW_OPENAI_COMPATIBLE_BASE_URL']) {
    expect(text).toContain(name);
  }
  expect(text).not.toMatch(/\n\s+at /);
}

describe('no model configured', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { ...CLEAN, POCKETPAW_LLM_PROVIDER: 'auto', POCKETPAW_OLLAMA_HOST: deadOllama } });
  });
  afterAll(() => s.close());

  it('blocking chat answers 200 with the how-to-configure hint; the user message is stored, the hint is not', async () => {
    const res = await chatBlocking(s, { content: 'Is anybody there?', session_id: 'nomodel' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ session_id: 'nomodel', content: expect.any(String), usage: {} });
    expectHint(res.body.content);
    expect(await historyOf(s, 'websocket_nomodel')).toEqual([{ role: 'user', content: 'Is anybody there?' }]);
  });

  it('SSE: one non-streamed chunk with the hint, then stream_end; no error event', async () => {
    const res = await chatStream(s, { content: 'Hello?', session_id: 'nomodel-sse' });
    expect(res.events.map((e) => e.event)).toEqual(['stream_start', 'chunk', 'stream_end']);
    expectHint(chunkText(res.events));
    expect(res.events[2]!.data).toEqual({ session_id: 'nomodel-sse', usage: {} });
    expect(await historyOf(s, 'websocket_nomodel-sse')).toEqual([{ role: 'user', content: 'Hello?' }]);
  });

  it('configuring a model over PUT /api/v1/settings makes the next turn use it', async () => {
    const put = await s.request('/api/v1/settings', {
      method: 'PUT', json: { settings: { openai_api_key: 'sk-configured-later-0000', openai_base_url: fake.openaiBaseUrl, openai_model: 'gpt-later' } },
    });
    expect(put.status, put.text).toBe(200);
    fake.reset();
    fake.enqueue(textReply('Now I can answer.'));
    const res = await chatBlocking(s, { content: 'Try again', session_id: 'nomodel' });
    expect(res.body.content).toBe('Now I can answer.');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body.model).toBe('gpt-later');
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk-configured-later-0000');
    // The hint never became part of the conversation.
    expect(fake.requests[0]!.body.messages.filter((m: any) => m.role !== 'system').map((m: any) => m.content))
      .toEqual(['Is anybody there?', 'Try again']);
  });
});

describe('an explicit provider without its key', () => {
  it('says which setting is missing, plus the general hint', async () => {
    const s = await startTestServer({ env: { ...CLEAN, POCKETPAW_LLM_PROVIDER: 'anthropic' } });
    try {
      const res = await chatBlocking(s, { content: 'Hi' });
      expect(res.status).toBe(200);
      expect(res.body.content).toContain('Anthropic');
      expect(res.body.content).toContain('key');
      expectHint(res.body.content);
    } finally {
      await s.close();
    }
  });
});

describe('llm_provider = ollama with no Ollama running', () => {
  it('the turn fails with a readable error naming the host, over SSE and blocking (502)', async () => {
    const s = await startTestServer({ env: { ...CLEAN, POCKETPAW_LLM_PROVIDER: 'ollama', POCKETPAW_OLLAMA_HOST: deadOllama } });
    try {
      const sse = await chatStream(s, { content: 'Hello?', session_id: 'no-ollama' });
      expect(sse.events.map((e) => e.event)).toEqual(['stream_start', 'error']);
      expect(sse.events[1]!.data.detail).toContain(`Cannot reach Ollama at ${deadOllama}`);
      const blocking = await chatBlocking(s, { content: 'Hello?', session_id: 'no-ollama' });
      expect(blocking.status).toBe(502);
      expect(blocking.body.detail).toContain(`Cannot reach Ollama at ${deadOllama}`);
      expect(await historyOf(s, 'websocket_no-ollama')).toEqual([
        { role: 'user', content: 'Hello?' }, expect.objectContaining({ role: 'assistant' }), { role: 'user', content: 'Hello?' }, expect.objectContaining({ role: 'assistant' }),
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('llm_provider = auto', () => {
  it('with only an Anthropic key, Anthropic is used', async () => {
    const s = await startTestServer({
      env: {
        ...CLEAN, POCKETPAW_LLM_PROVIDER: 'auto', POCKETPAW_ANTHROPIC_API_KEY: 'sk-ant-auto-test',
        POCKETPAW_ANTHROPIC_BASE_URL: fake.anthropicBaseUrl, POCKETPAW_ANTHROPIC_MODEL: 'claude-auto',
        // A reachable Ollama must not win over a configured key.
        POCKETPAW_OLLAMA_HOST: fake.ollamaHost,
      },
    });
    try {
      fake.reset();
      fake.enqueue(textReply('Anthropic here.'));
      const res = await chatBlocking(s, { content: 'Who are you?' });
      expect(res.body.content).toBe('Anthropic here.');
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]).toMatchObject({ provider: 'anthropic', path: '/v1/messages' });
      expect(fake.requests[0]!.body.model).toBe('claude-auto');
      expect(fake.requests[0]!.headers['x-api-key']).toBe('sk-ant-auto-test');
    } finally {
      await s.close();
    }
  });

  it('with no keys and a reachable Ollama, Ollama is used', async () => {
    const s = await startTestServer({ env: { ...CLEAN, POCKETPAW_LLM_PROVIDER: 'auto', POCKETPAW_OLLAMA_HOST: fake.ollamaHost } });
    try {
      fake.reset();
      fake.enqueue(textReply('Local llama speaking.'));
      const res = await chatBlocking(s, { content: 'Who are you?' });
      expect(res.body.content).toBe('Local llama speaking.');
      expect(fake.requests[0]).toMatchObject({ provider: 'ollama', path: '/api/chat' });
      expect(fake.requests[0]!.body.model).toBe('llama3.2'); // the default ollama_model
    } finally {
      await s.close();
    }
  });
});
