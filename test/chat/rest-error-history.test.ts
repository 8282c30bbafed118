import { afterAll, beforeAll, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());

it('a failed turn keeps its error note for the user but never feeds it back to the model', async () => {
  env.fake.enqueue({ steps: [{ text: 'Partial answer' }, { error: 'upstream exploded' }] });
  const first = await env.s.post('/api/v1/chat', { content: 'first question', session_id: 'errhist' });
  expect(first.status).toBe(502);
  const stored = (await env.s.get('/api/v1/sessions/websocket_errhist/history')).body;
  expect(stored[1].content).toMatch(/^Partial answer\n\n\[Error: .*upstream exploded/);

  env.fake.enqueue(textReply('Second answer'));
  await env.s.post('/api/v1/chat', { content: 'second question', session_id: 'errhist' });
  const sent = env.fake.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
  expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  expect(sent[2]!.content).toBe('Partial answer');
  expect(JSON.stringify(sent)).not.toContain('[Error');
});
