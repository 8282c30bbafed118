import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { KNOWN_ANTHROPIC, KNOWN_OPENAI } from '../../src/models/catalog.js';

/** docs/api.md §4.7 "Models": the model lists and the connection test, against the fake providers. */

const GOOD = 'sk-good-0123456789abcdef';
const BAD = 'sk-bad-9876543210fedcba';

let fake: FakeLlm;
let s: TestServer;
/** An address where nothing listens. */
let dead: string;

async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function put(settings: Record<string, unknown>): Promise<void> {
  const res = await s.request('/api/v1/settings', { method: 'PUT', json: { settings } });
  expect(res.status, res.text).toBe(200);
}

const list = (provider: string) => s.get(`/api/v1/models?provider=${provider}`);
const test = (body: unknown) => s.post('/api/v1/models/test', body);

beforeAll(async () => {
  fake = await startFakeLlm();
  dead = `http://127.0.0.1:${await freePort()}`;
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  await put({
    openai_api_key: '', anthropic_api_key: '', openai_compatible_api_key: '',
    openai_base_url: fake.openaiBaseUrl, anthropic_base_url: fake.anthropicBaseUrl,
    ollama_host: fake.ollamaHost, openai_compatible_base_url: '',
  });
});

describe('GET /api/v1/models', () => {
  it('OpenAI without a key: the known list, nothing asked', async () => {
    const res = await list('openai');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ provider: 'openai', models: KNOWN_OPENAI, source: 'known' });
    expect(fake.listRequests).toHaveLength(0);
  });

  it('OpenAI with a key: the live list, chat models only, asked with the key', async () => {
    await put({ openai_api_key: GOOD });
    fake.setModels({ openai: ['text-embedding-3-small', 'gpt-5.2', 'whisper-1', 'gpt-4o', 'dall-e-3', 'o4-mini', 'tts-1'] });
    const res = await list('openai');
    expect(res.body).toEqual({ provider: 'openai', models: [{ id: 'gpt-4o' }, { id: 'gpt-5.2' }, { id: 'o4-mini' }], source: 'live' });
    expect(fake.listRequests[0]!.headers.authorization).toBe(`Bearer ${GOOD}`);
  });

  it('Anthropic with a key: the live list with display names; a refused key falls back to the known list', async () => {
    await put({ anthropic_api_key: GOOD });
    fake.setModels({ anthropic: [{ id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6' }, { id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5' }] });
    const live = await list('anthropic');
    expect(live.body).toEqual({
      provider: 'anthropic', source: 'live',
      models: [{ id: 'claude-sonnet-4-6', label: 'Claude Sonnet 4.6' }, { id: 'claude-haiku-4-5', label: 'Claude Haiku 4.5' }],
    });
    expect(fake.listRequests[0]!.headers['x-api-key']).toBe(GOOD);
    expect(fake.listRequests[0]!.headers['anthropic-version']).toBeTruthy();

    fake.requireKey('something-else');
    const refused = await list('anthropic');
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({ provider: 'anthropic', models: KNOWN_ANTHROPIC, source: 'known' });
    expect(refused.text).not.toContain(GOOD);
  });

  it('Anthropic unreachable: the known list', async () => {
    await put({ anthropic_api_key: GOOD, anthropic_base_url: `${dead}/v1` });
    const res = await list('anthropic');
    expect(res.body.source).toBe('known');
  });

  it('Ollama: the installed models; not running: 502 naming Ollama, its address and what to do', async () => {
    fake.setModels({ ollama: ['llama3.2:latest', 'qwen3:8b'] });
    const res = await list('ollama');
    expect(res.body).toEqual({ provider: 'ollama', models: [{ id: 'llama3.2:latest' }, { id: 'qwen3:8b' }], source: 'live' });

    await put({ ollama_host: dead });
    const down = await list('ollama');
    expect(down.status).toBe(502);
    expect(down.body).toEqual({ detail: `Ollama is not running at ${dead} — start it with \`ollama serve\`, or fix the Ollama address.` });
  });

  it('OpenAI-compatible: its /models, unfiltered, with its key; no URL saved is a 400 saying so', async () => {
    const none = await list('openai_compatible');
    expect(none.status).toBe(400);
    expect(none.body.detail).toMatch(/No OpenAI-compatible server URL is set/);

    await put({ openai_compatible_base_url: fake.openaiBaseUrl, openai_compatible_api_key: GOOD });
    fake.setModels({ openai: ['qwen2.5-coder', 'my-embedder'] });
    const res = await list('openai_compatible');
    expect(res.body).toEqual({ provider: 'openai_compatible', models: [{ id: 'qwen2.5-coder' }, { id: 'my-embedder' }], source: 'live' });
    expect(fake.listRequests[0]!.headers.authorization).toBe(`Bearer ${GOOD}`);
  });

  it('OpenAI-compatible refusing the key: 502 in plain words, the key never in the answer', async () => {
    await put({ openai_compatible_base_url: fake.openaiBaseUrl, openai_compatible_api_key: BAD });
    fake.requireKey(GOOD);
    const res = await list('openai_compatible');
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/^The OpenAI-compatible server refused the key \(401\)\. Check that you copied the whole key/);
    expect(res.text).not.toContain(BAD);
  });

  it('bad input: 422 for an unknown or missing provider', async () => {
    for (const q of ['?provider=gemini', '', '?provider=']) {
      const res = await s.get(`/api/v1/models${q}`);
      expect(res.status, q).toBe(422);
    }
  });
});

describe('POST /api/v1/models/test', () => {
  it('a typed OpenAI key that works: ok, the count, and nothing saved', async () => {
    fake.setModels({ openai: ['gpt-5.2', 'gpt-4o', 'text-embedding-3-small'] });
    fake.requireKey(GOOD);
    const res = await test({ provider: 'openai', api_key: GOOD });
    expect(res.body).toEqual({ ok: true, models: 2, message: 'Connected to OpenAI: 2 models available.' });
    expect((await s.get('/api/v1/settings')).body.has_openai_api_key).toBe(false);
  });

  it('a wrong key: not ok, the provider and what to do, the key nowhere (even though the server echoed it)', async () => {
    fake.requireKey(GOOD);
    for (const provider of ['openai', 'anthropic', 'openai_compatible'] as const) {
      const base = provider === 'openai_compatible' ? { base_url: fake.openaiBaseUrl } : {};
      const res = await test({ provider, api_key: BAD, ...base });
      expect(res.status).toBe(200);
      expect(res.body.ok, provider).toBe(false);
      expect(res.body.message).toMatch(/refused the key \(401\)\. Check that you copied the whole key/);
      expect(res.text).not.toContain(BAD);
      expect(res.text).not.toContain(BAD.slice(3, 15));
    }
    expect(fake.listRequests.map((r) => r.provider)).toEqual(['openai', 'anthropic', 'openai']);
  });

  it('no typed key falls back to the saved one; no key at all says to paste one', async () => {
    const none = await test({ provider: 'anthropic' });
    expect(none.body).toEqual({ ok: false, message: 'No Anthropic API key is entered or saved. Paste your key and try again.' });
    expect(fake.listRequests).toHaveLength(0);

    await put({ anthropic_api_key: GOOD });
    fake.requireKey(GOOD);
    fake.setModels({ anthropic: ['claude-sonnet-4-6'] });
    const saved = await test({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(saved.body).toEqual({ ok: true, models: 1, message: 'Connected to Anthropic: 1 model available.' });
  });

  it('a typed address is used instead of the saved one', async () => {
    await put({ openai_compatible_base_url: dead });
    fake.setModels({ openai: ['a', 'b', 'c'] });
    const res = await test({ provider: 'openai_compatible', base_url: `${fake.openaiBaseUrl}/` });
    expect(res.body).toEqual({ ok: true, models: 3, message: `Connected to the OpenAI-compatible server at ${fake.openaiBaseUrl}: 3 models available.` });
    const saved = await test({ provider: 'openai_compatible', model: 'x' });
    expect(saved.body.ok).toBe(false);
    expect(saved.body.message).toBe(`Could not reach the OpenAI-compatible server at ${dead} (nothing is listening there). Check the address and your network.`);
  });

  it('Ollama: running with the model, without it, and not running', async () => {
    fake.setModels({ ollama: ['llama3.2:latest', 'qwen3:8b'] });
    expect((await test({ provider: 'ollama', model: 'llama3.2' })).body)
      .toEqual({ ok: true, models: 2, message: `Connected to Ollama at ${fake.ollamaHost}: 2 models installed.` });
    const missing = await test({ provider: 'ollama', model: 'mistral' });
    expect(missing.body.ok).toBe(false);
    expect(missing.body.message).toContain('Run `ollama pull mistral`');
    const down = await test({ provider: 'ollama', base_url: dead });
    expect(down.body).toEqual({ ok: false, message: `Ollama is not running at ${dead} — start it with \`ollama serve\`, or fix the Ollama address.` });
  });

  it('only http(s) addresses are asked', async () => {
    for (const base_url of ['file:///etc/passwd', 'ftp://example.com/v1', 'gopher://127.0.0.1:70/', 'not a url']) {
      const res = await test({ provider: 'openai_compatible', base_url });
      expect(res.body.ok, base_url).toBe(false);
      expect(res.body.message).toMatch(/Only http:\/\/ and https:\/\/|is not a URL/);
    }
  });

  it('a user:password in the address is never repeated', async () => {
    const res = await test({ provider: 'openai_compatible', base_url: `http://admin:hunter2secret@127.0.0.1:${new URL(dead).port}/v1` });
    expect(res.body).toEqual({ ok: false, message: 'The address cannot hold a user name or password: enter the key in its own field.' });
    expect(res.text).not.toContain('hunter2secret');
  });

  it('bad input: 4xx', async () => {
    for (const body of [{}, { provider: 'gemini' }, { provider: 'openai', api_key: 42 }, { provider: 'openai', base_url: 'x'.repeat(5000) }]) {
      const res = await test(body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const notJson = await s.request('/api/v1/models/test', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBeGreaterThanOrEqual(400);
    expect(notJson.status).toBeLessThan(500);
  });

  it('a settings:write key may test the saved address, not another one (the saved key would go there)', async () => {
    const writer = await createKey(s, { name: 'writer', scopes: ['settings:write'] });
    const admin = await createKey(s, { name: 'admin', scopes: ['admin'] });
    await put({ openai_api_key: GOOD });
    const other = await s.remote('/api/v1/models/test', { method: 'POST', headers: bearer(writer.key), json: { provider: 'openai', base_url: 'http://attacker.invalid/v1' } });
    expect(other.status).toBe(403);
    expect(other.body.detail).toMatch(/needs an admin credential/);
    const same = await s.remote('/api/v1/models/test', { method: 'POST', headers: bearer(writer.key), json: { provider: 'openai', base_url: `${fake.openaiBaseUrl}/` } });
    expect(same.status).toBe(200);
    expect(same.body.ok).toBe(true);
    const byAdmin = await s.remote('/api/v1/models/test', { method: 'POST', headers: bearer(admin.key), json: { provider: 'ollama', base_url: fake.ollamaHost } });
    expect(byAdmin.status).toBe(200);
  });
});
