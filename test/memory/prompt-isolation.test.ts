import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TurnSink } from '../../src/chat/turn-sink.js';
import { memoryEntryId, OWNER_SCOPE, senderHash } from '../../src/memory/ids.js';
import { MEMORY_PROMPT_HEADING } from '../../src/memory/prompt.js';
import type { MemoryStore } from '../../src/memory/store.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat } from '../helpers/ws-client.js';
import { chatTurn, systemPrompt, toolResults } from './helpers.js';

/** The memory block of a system prompt: its entry lines. */
function memoryLines(prompt: string): string[] {
  const at = prompt.indexOf(MEMORY_PROMPT_HEADING);
  if (at < 0) return [];
  return prompt.slice(at).split('\n\n')[1]!.split('\n');
}

const quietSink = (): TurnSink => ({ started() {}, text() {}, message() {}, event() {}, end() {} });

describe('memories in the system prompt', () => {
  let env: ChatTestEnv;
  let store: MemoryStore;
  beforeAll(async () => {
    env = await startChatServer('openai');
    store = env.s.server.ctx.memory;
    store.addMany(Array.from({ length: 40 }, (_, i) => ({ scope: OWNER_SCOPE, content: `Gardening note ${i}: water the tomatoes every ${i + 2} days.` })));
    store.add({ scope: OWNER_SCOPE, content: 'The user\'s dog Biscuit is allergic to chicken.', tags: ['pets'] });
    store.addMany(Array.from({ length: 5 }, (_, i) => ({ scope: OWNER_SCOPE, content: `Recent errand ${i}: buy stamps.` })));
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  it('the most relevant memory comes first, then the newest, within memory_prompt_chars', async () => {
    env.s.server.ctx.settingsStore.update({ memory_prompt_chars: 200 });
    const sock = await connectChat(env.s.url);
    await chatTurn(sock, 'What food is safe for my dog?');
    const lines = memoryLines(systemPrompt(env.fake.requests[0]!));
    expect(lines[0]).toBe('- The user\'s dog Biscuit is allergic to chicken. (#pets)');
    expect(lines.slice(1)).toEqual(['- Recent errand 4: buy stamps.', '- Recent errand 3: buy stamps.', '- Recent errand 2: buy stamps.', '- Recent errand 1: buy stamps.']);
    expect(lines.join('\n').length).toBeLessThanOrEqual(200);

    // A bigger budget brings in more; 0 turns the block off.
    env.s.server.ctx.settingsStore.update({ memory_prompt_chars: 2000 });
    env.fake.reset();
    await chatTurn(sock, 'How often should I water the tomatoes?');
    const more = memoryLines(systemPrompt(env.fake.requests[0]!));
    expect(more[0]).toMatch(/^- Gardening note \d+: water the tomatoes/);
    expect(more.length).toBeGreaterThan(20);
    expect(more.join('\n').length).toBeLessThanOrEqual(2000);

    env.s.server.ctx.settingsStore.update({ memory_prompt_chars: 0 });
    env.fake.reset();
    await chatTurn(sock, 'dog?');
    expect(systemPrompt(env.fake.requests[0]!)).not.toContain(MEMORY_PROMPT_HEADING);
    env.s.server.ctx.settingsStore.update({ memory_prompt_chars: 2000 });
    sock.close();
  });
});

describe('per-sender memory isolation (owner_id set, spec §8)', () => {
  let env: ChatTestEnv;
  beforeAll(async () => {
    env = await startChatServer('openai', { env: { POCKETPAW_OWNER_ID: 'tg-owner' } });
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  /** A turn from a channel user, as a channel adapter would run it. */
  async function turnAs(sender: string, text: string): Promise<void> {
    await env.s.server.ctx.chat.runTurn({ baseKey: `telegram:${sender}`, text, metadata: {}, sender }, quietSink());
  }

  it('each sender reads and writes only their own memories; the owner keeps the owner file', async () => {
    // The dashboard (owner) saves one fact; Alice (a telegram user) saves another.
    const dash = await connectChat(env.s.url);
    env.fake.enqueue(toolCallReply('remember', { content: 'The owner drinks green tea.' }), textReply('ok'));
    await chatTurn(dash, 'remember: I drink green tea');
    env.fake.enqueue(toolCallReply('remember', { content: 'Alice has a cat named Miso.' }), textReply('ok'));
    await turnAs('tg-alice', 'remember my cat is Miso');

    // Bob sees neither, in his prompt or through recall.
    env.fake.reset();
    env.fake.enqueue(toolCallReply('recall', { query: 'cat tea' }), textReply('nothing'));
    await turnAs('tg-bob', 'what is my cat called and what tea do I drink?');
    expect(systemPrompt(env.fake.requests[0]!)).not.toContain(MEMORY_PROMPT_HEADING);
    expect(toolResults(env.fake.requests[1]!)).toEqual(['No memories found matching: cat tea']);

    // Alice sees hers only.
    env.fake.reset();
    env.fake.enqueue(toolCallReply('recall', { query: 'cat tea' }), textReply('Miso'));
    await turnAs('tg-alice', 'what is my cat called?');
    expect(memoryLines(systemPrompt(env.fake.requests[0]!))).toEqual(['- Alice has a cat named Miso.']);
    expect(toolResults(env.fake.requests[1]!)).toEqual(['Found 1 memories:\n\n1. Alice has a cat named Miso.']);

    // The owner on the dashboard and the owner's own telegram id share the owner's memory.
    for (const run of [() => chatTurn(dash, 'what tea do I drink?'), () => turnAs('tg-owner', 'what tea do I drink?')]) {
      env.fake.reset();
      await run();
      expect(memoryLines(systemPrompt(env.fake.requests[0]!))).toEqual(['- The owner drinks green tea.']);
    }

    // Alice cannot forget the owner's memory either.
    env.fake.reset();
    env.fake.enqueue(toolCallReply('forget', { query: 'green tea' }), textReply('done'));
    await turnAs('tg-alice', 'forget green tea');
    expect(toolResults(env.fake.requests[1]!)).toEqual(['No memories found matching: green tea']);

    // REST lists every sender's entries, the owner's first; ids follow each sender's PocketPaw file.
    const list = (await env.s.get('/api/memory/long_term')).body as { id: string; content: string }[];
    expect(list.map((e) => e.content)).toEqual(['The owner drinks green tea.', 'Alice has a cat named Miso.']);
    expect(list[1]!.id).toBe(memoryEntryId(path.join(env.s.home, 'memory', 'users', senderHash('tg-alice'), 'MEMORY.md'), 'Memory', 'Alice has a cat named Miso.'));
    dash.close();
  });
});
