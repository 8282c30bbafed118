import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { chatBlocking, chatStream, chunkText, historyOf, storedOf } from './rest-helpers.js';

// Spec §6.1: text sent to clients is redacted; stored text is not.

const ANTHROPIC_KEY = 'sk-ant-api03-Zq8xW2vB7nM4kL9pR3tY6uI1oE5aS0dF';
const GITHUB_TOKEN = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const DB_PASSWORD = 'Hunter2-correct-horse';
const ANSWER = `Your key is ${ANTHROPIC_KEY} and the repo token is ${GITHUB_TOKEN}. ` +
  `Connect with postgres://admin:${DB_PASSWORD}@db.internal:5432/app and api_key=abcdef0123456789abcdef today.`;
const REDACTED_ANSWER = 'Your key is [REDACTED] and the repo token is [REDACTED]. ' +
  'Connect with postgres://admin:[REDACTED]@db.internal:5432/app and api_key=[REDACTED] today.';

/** No 8-character piece of any secret may reach the client, however the deltas were cut. */
function expectNoSecretPieces(text: string): void {
  for (const secret of [ANTHROPIC_KEY.slice(7), GITHUB_TOKEN.slice(4), DB_PASSWORD, 'abcdef0123456789abcdef']) {
    for (let i = 0; i + 8 <= secret.length; i++) expect(text, secret.slice(i, i + 8)).not.toContain(secret.slice(i, i + 8));
  }
}

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('anthropic');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

describe('redaction of outbound chat text', () => {
  for (const chunkSize of [3, 7, 16]) {
    it(`SSE: secrets split across ${chunkSize}-character deltas never appear; [REDACTED] does; the stored answer is intact`, async () => {
      env.fake.enqueue(textReply(ANSWER, { chunkSize }));
      const id = `redact-sse-${chunkSize}`;
      const res = await chatStream(env.s, { content: 'Show me the secrets', session_id: id });
      expect(res.events.at(-1)!.event).toBe('stream_end');
      expect(chunkText(res.events)).toBe(REDACTED_ANSWER);
      expect(res.events.filter((e) => e.event === 'chunk').length).toBeGreaterThan(1);
      expectNoSecretPieces(res.text);
      expect(storedOf(env.s, `websocket_${id}`)).toEqual([
        { role: 'user', content: 'Show me the secrets' }, { role: 'assistant', content: ANSWER },
      ]);
      // The history a client reads back is redacted like the stream was.
      expect(await historyOf(env.s, `websocket_${id}`)).toEqual([
        { role: 'user', content: 'Show me the secrets' }, { role: 'assistant', content: REDACTED_ANSWER },
      ]);
    });
  }

  it('blocking REST: the content is redacted, the stored answer is not', async () => {
    env.fake.enqueue(textReply(ANSWER, { chunkSize: 5 }));
    const res = await chatBlocking(env.s, { content: 'Secrets, blocking', session_id: 'redact-blocking' });
    expect(res.status).toBe(200);
    expect(res.body.content).toBe(REDACTED_ANSWER);
    expectNoSecretPieces(res.text);
    expect(storedOf(env.s, 'websocket_redact-blocking')[1]).toEqual({ role: 'assistant', content: ANSWER });
    expect((await historyOf(env.s, 'websocket_redact-blocking'))[1]).toEqual({ role: 'assistant', content: REDACTED_ANSWER });
  });

  it('thinking: a secret split across reasoning deltas is redacted', async () => {
    env.fake.enqueue({ steps: [{ reasoning: `The user key ${ANTHROPIC_KEY.slice(0, 20)}` }, { reasoning: `${ANTHROPIC_KEY.slice(20)} must stay hidden.` }, { text: 'Done.' }] });
    const res = await chatStream(env.s, { content: 'Think about secrets', session_id: 'redact-thinking' });
    const thinking = res.events.filter((e) => e.event === 'thinking').map((e) => e.data.content).join('');
    expect(thinking).toBe('The user key [REDACTED] must stay hidden.');
    expectNoSecretPieces(res.text);
  });

  it('tool input is redacted', async () => {
    env.fake.enqueue(toolCallReply('current_time', { timezone: GITHUB_TOKEN }), textReply('Done.'));
    const res = await chatStream(env.s, { content: 'Tool with a secret', session_id: 'redact-tool-input' });
    const toolStart = res.events.find((e) => e.event === 'tool_start')!;
    expect(toolStart.data).toEqual({ tool: 'current_time', input: { timezone: '[REDACTED]' } });
    expectNoSecretPieces(res.text);
  });

  it('provider error text is redacted (SSE error event and blocking 502)', async () => {
    const failure = { status: 401, errorMessage: `invalid x-api-key ${ANTHROPIC_KEY}` };
    env.fake.enqueue(failure, failure);
    const failed = await chatStream(env.s, { content: 'Fail with a secret', session_id: 'redact-error' });
    expect(failed.events.at(-1)!.event).toBe('error');
    expect(failed.events.at(-1)!.data.detail).toContain('[REDACTED]');
    expectNoSecretPieces(failed.text);
    const blocking = await chatBlocking(env.s, { content: 'Fail blocking with a secret' });
    expect(blocking.status).toBe(502);
    expect(blocking.body.detail).toContain('[REDACTED]');
    expectNoSecretPieces(blocking.text);
  });

  it('tool results are redacted on the way out', async () => {
    env.fake.enqueue(toolCallReply('current_time', { timezone: `Bearer ${'x'.repeat(12)}${GITHUB_TOKEN}` }), textReply('ok'));
    const res = await chatStream(env.s, { content: 'Time with a weird zone', session_id: 'redact-tool' });
    const result = res.events.find((e) => e.event === 'tool_result')!;
    // The tool echoes the unknown zone back; the token inside it is redacted.
    expect(result.data.output).toContain('[REDACTED]');
    expectNoSecretPieces(res.text);
  });
});
