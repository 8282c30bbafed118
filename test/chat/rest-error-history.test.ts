import { afterAll, beforeAll, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());

it('a failed turn keeps its partial answer and its error for the user but never feeds them back to the model', async () => {
  env.fake.enqueue({ steps: [{ text: 'Partial answer' }, { error: 'upstream exploded' }] });
  const first = await env.s.post('/api/v1/chat', { content: 'first question', session_id: 'errhist' });
  expect(first.status).toBe(502);
  const stored = (await env.s.get('/api/v1/sessions/websocket_errhist/history')).body;
  // The partial answer is kept and the failure is said apart from it (spec §4.7), never as text in the answer.
  expect(stored[1]).toMatchObject({ role: 'assistant', content: 'Partial answer', error: expect.stringMatching(/upstream exploded/) });

  env.fake.enqueue(textReply('Second answer'));
  await env.s.post('/api/v1/chat', { content: 'second question', session_id: 'errhist' });
  const sent = env.fake.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
  // A failed turn is not fed back to the model: neither its half answer nor the error.
  expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'user']);
  expect(JSON.stringify(sent)).not.toContain('Partial answer');
  expect(JSON.stringify(sent)).not.toContain('upstream exploded');
});
