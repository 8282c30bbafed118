import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/settings.js';
import { fetchModels, isOpenAIChatModel, listModels, ModelListError, shownUrl } from '../../src/models/catalog.js';
import { maskKeys } from '../../src/models/mask-keys.js';
import { testConnection } from '../../src/models/test-connection.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm/index.js';

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const settings = (over: Record<string, unknown> = {}) => settingsSchema.parse(over);

describe('timeouts', () => {
  it('a provider that does not answer in time: a plain message naming it, and no hang', async () => {
    fake.setListDelay(2_000);
    const started = Date.now();
    const err = await fetchModels({ provider: 'openai_compatible', baseUrl: fake.openaiBaseUrl, apiKey: 'k-secret-1234' }, 150).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(err).toBeInstanceOf(ModelListError);
    expect((err as Error).message).toBe(`The OpenAI-compatible server at ${fake.openaiBaseUrl} did not answer within 0.2 s. Check the address and that the server is up.`);
  });

  it('the test answers not-ok on a timeout; the list falls back to known models for OpenAI', async () => {
    fake.setListDelay(2_000);
    const res = await testConnection({ provider: 'ollama', base_url: fake.ollamaHost }, settings(), 150);
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/^Ollama at http:\/\/127\.0\.0\.1:\d+ did not answer/);
    const listed = await listModels('openai', settings({ openai_api_key: 'k', openai_base_url: fake.openaiBaseUrl }), 150);
    expect(listed.source).toBe('known');
  });
});

describe('pieces', () => {
  it('chat models of OpenAI', () => {
    expect(['gpt-5.2', 'gpt-4o-mini', 'o3', 'o4-mini', 'chatgpt-4o-latest'].every(isOpenAIChatModel)).toBe(true);
    expect(['text-embedding-3-large', 'whisper-1', 'tts-1-hd', 'dall-e-3', 'gpt-4o-realtime-preview', 'gpt-4o-transcribe', 'omni-moderation-latest', 'gpt-image-1', 'babbage-002'].some(isOpenAIChatModel)).toBe(false);
  });

  it('key-shaped tokens and the exact key sent are masked in a provider\'s words', () => {
    expect(maskKeys('Incorrect API key provided: sk-proj-abc123DEF456. Also Bearer xyz and AIzaSyA1234567890abc.'))
      .toBe('Incorrect API key provided: [REDACTED]. Also [REDACTED] and [REDACTED].');
    expect(maskKeys('no such key: my-odd-key-42', 'my-odd-key-42')).toBe('no such key: [REDACTED]');
    expect(maskKeys('model claude-sonnet-4-5-20250929 not found')).toBe('model claude-sonnet-4-5-20250929 not found');
  });

  it('shown addresses drop user, password and query', () => {
    expect(shownUrl('https://u:p@example.com/v1/?key=abc')).toBe('https://example.com/v1');
  });

  it('an answer that is not a model list says so', async () => {
    // /api/version answers JSON that is not a list; point the "server" at a path prefix that yields it.
    const err = await fetchModels({ provider: 'ollama', baseUrl: `${fake.url}/nowhere`, apiKey: '' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/Ollama at .* has no model list \(404\)/);
  });
});
