import { APICallError, JSONParseError } from '@ai-sdk/provider';
import { RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { OllamaError } from '../../src/models/ollama.js';
import { describeProviderError } from '../../src/models/provider-errors.js';

/** Chat errors name the provider in plain words and say what to do. */

function apiError(status: number | undefined, body: unknown, model = 'gpt-5.2', url = 'https://api.openai.com/v1/chat/completions?x=1'): APICallError {
  return new APICallError({
    message: status ? `HTTP ${status}` : 'Cannot connect to API: connect ECONNREFUSED 127.0.0.1:9',
    url, requestBodyValues: { model, messages: [] }, statusCode: status,
    responseBody: body === undefined ? undefined : JSON.stringify(body),
    isRetryable: false,
  });
}

describe('describeProviderError', () => {
  it('a refused key: the provider, the status, and to check the key (never repeating it)', () => {
    const text = describeProviderError(apiError(401, { error: { message: 'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789' } }), 'openai');
    expect(text).toMatch(/^OpenAI rejected the API key \(401\): .*Check the key in Settings: copy the whole key/);
    expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('an unknown model: names the model and where to pick another', () => {
    const text = describeProviderError(apiError(404, { type: 'error', error: { type: 'not_found_error', message: 'model: claude-nope' } }, 'claude-nope'), 'anthropic');
    expect(text).toMatch(/^Anthropic does not know the model "claude-nope" \(404\)/);
    expect(text).toContain("Pick another model in Settings or in the chat's model menu");
    const openai = describeProviderError(apiError(404, { error: { message: 'The model `gpt-9` does not exist or you do not have access to it.' } }, 'gpt-9'), 'openai');
    expect(openai).toMatch(/^OpenAI does not know the model "gpt-9"/);
  });

  it('a 404 that is not about the model points at the base URL', () => {
    expect(describeProviderError(apiError(404, 'Not Found'), 'openai_compatible'))
      .toBe('The OpenAI-compatible server answered 404 at https://api.openai.com/v1/chat/completions: Not Found. Check the base URL in Settings.');
  });

  it('rate limited, overloaded, failing', () => {
    expect(describeProviderError(apiError(429, { error: { message: 'slow down' } }), 'openai')).toMatch(/^OpenAI is rate limiting requests \(429\): slow down\. Wait a minute/);
    expect(describeProviderError(apiError(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), 'anthropic')).toMatch(/^Anthropic is overloaded right now \(529\): Overloaded\. Try again in a minute\./);
    expect(describeProviderError(apiError(500, { error: 'boom' }), 'openai_compatible')).toMatch(/^The OpenAI-compatible server had a server error \(500\): boom\. Try again shortly\./);
    expect(describeProviderError(new Error('Overloaded'), 'anthropic')).toMatch(/^Anthropic is overloaded right now/);
  });

  it('unreachable: the provider and its address, without the query', () => {
    const text = describeProviderError(apiError(undefined, undefined, 'm', 'http://127.0.0.1:9/v1/chat/completions?key=secret'), 'openai_compatible');
    expect(text).toMatch(/^Could not reach the OpenAI-compatible server at http:\/\/127\.0\.0\.1:9\/v1\/chat\/completions: .*Check that it is running/);
    expect(text).not.toContain('secret');
  });

  it('after retries: the last failure, described', () => {
    const err = new RetryError({ message: 'Failed after 2 attempts', reason: 'maxRetriesExceeded', errors: [apiError(429, { error: 'x' }), apiError(429, { error: 'busy' })] });
    expect(describeProviderError(err, 'openai')).toMatch(/^OpenAI is rate limiting requests \(429\): busy/);
  });

  it('an unreadable answer', () => {
    const err = new JSONParseError({ text: '{nope', cause: new Error('bad') });
    expect(describeProviderError(err, 'anthropic')).toMatch(/^Anthropic sent a response PocketPaw could not read/);
  });

  it('Ollama: not running, model not pulled, connection lost', () => {
    expect(describeProviderError(new OllamaError('Cannot reach Ollama at http://localhost:11434: fetch failed'), 'ollama'))
      .toBe('Cannot reach Ollama at http://localhost:11434: fetch failed. Is Ollama running? Start it with `ollama serve`, or fix the Ollama address in Settings.');
    expect(describeProviderError(new OllamaError('Ollama answered 404: model "llama9" not found, try pulling it first'), 'ollama'))
      .toBe('Ollama does not have the model "llama9". Download it with `ollama pull llama9`, or pick an installed model in Settings.');
    expect(describeProviderError(new OllamaError('Lost the connection to Ollama at http://x in the middle of the answer (terminated)'), 'ollama')).toMatch(/^Lost the connection to Ollama .*\. Try again\.$/);
  });
});
