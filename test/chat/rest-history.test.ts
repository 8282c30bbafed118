import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { writePocketPawDir, type FixtureMessage } from '../helpers/pocketpaw-fixture.js';
import { chatBlocking, wireMessages, type WireMessage } from './rest-helpers.js';

// Spec §7.5: the prompt history a turn sends to the model.

const WORDS = ['tram', 'lisbon', 'harbour', 'pastry', 'river', 'castle', 'tile', 'sunset', 'museum', 'market', 'ferry', 'hill'];

/** Deterministic prose of about `n` characters, with a line break in the middle. */
function prose(seed: number, n: number): string {
  const out: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const w = WORDS[(seed * 7 + i * 5) % WORDS.length]!;
    out.push(i === 8 ? `${w}\n` : w);
    len += w.length + 1;
  }
  return out.join(' ');
}

/** 40 messages, user first; every third one is long (over 150 characters). */
function longConversation(): FixtureMessage[] {
  return Array.from({ length: 40 }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `${i % 2 === 0 ? 'Question' : 'Answer'} ${i}: ${prose(i, i % 3 === 0 ? 700 : 300)}`,
  }));
}

const flat = (t: string) => t.replace(/\s+/g, ' ').trim();
const total = (msgs: WireMessage[]) => msgs.reduce((n, m) => n + m.text.length, 0);

/** The spec's one-line summary: at most 150 characters, cut at a word boundary, `...` appended. */
function summarise(text: string): string {
  const full = flat(text);
  if (full.length <= 150) return full;
  const cut = full.slice(0, 150);
  return `${cut.slice(0, cut.lastIndexOf(' ')).trimEnd()}...`;
}

/** Checks one `[Earlier conversation]` line against the message it summarises. */
function expectSummaryLine(line: string, original: FixtureMessage): void {
  const prefix = original.role === 'user' ? 'User: ' : 'Assistant: ';
  expect(line.startsWith(prefix), line).toBe(true);
  const body = line.slice(prefix.length);
  const full = flat(original.content);
  if (full.length <= 150) {
    expect(body).toBe(full);
    return;
  }
  expect(body.endsWith('...'), body).toBe(true);
  const kept = body.slice(0, -3);
  expect(kept.length).toBeLessThanOrEqual(150);
  expect(full.startsWith(kept), `${kept} is a prefix of the message`).toBe(true);
  expect(full[kept.length], 'cut at a word boundary').toBe(' ');
}

let env: ChatTestEnv;
const conversation = longConversation();
beforeAll(async () => {
  env = await startChatServer('openai');
  const dir = writePocketPawDir(Object.fromEntries(
    ['long-chat', 'small-budget', 'window', 'hdr-a', 'hdr-b'].map((id) => [`websocket_${id}`, conversation]),
  ));
  await env.s.importDir(dir);
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

describe('prompt history (spec §7.5)', () => {
  it('last 10 verbatim, older ones as one leading [Earlier conversation] message, within 8000 characters', async () => {
    env.fake.enqueue(textReply('Noted.'));
    const res = await chatBlocking(env.s, { content: 'What did we say about the castle?', session_id: 'long-chat' });
    expect(res.status, res.text).toBe(200);
    const sent = wireMessages(env.fake.requests[0]!);
    const stored = [...conversation, { role: 'user', content: 'What did we say about the castle?' }];

    // The most recent 10 stored messages, verbatim and in order.
    expect(sent.slice(1).map((m) => ({ role: m.role, content: m.text }))).toEqual(stored.slice(-10));

    // One leading user message collapses the older ones.
    const summary = sent[0]!;
    expect(summary.role).toBe('user');
    const [header, ...lines] = summary.text.split('\n');
    expect(header).toBe('[Earlier conversation]');
    const older = stored.slice(0, -10);
    // Oldest dropped first: the lines are the summaries of the newest older messages, in order.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(older.length);
    const kept = older.slice(older.length - lines.length);
    lines.forEach((line, i) => expectSummaryLine(line, kept[i]!));
    expect(lines.some((l) => l.endsWith('...'))).toBe(true);

    expect(total(sent)).toBeLessThanOrEqual(8000);
    // Not more than necessary was dropped: one more older line would not have fitted.
    const next = older[older.length - lines.length - 1]!;
    const nextLine = `${next.role === 'user' ? 'User' : 'Assistant'}: ${summarise(next.content)}`;
    expect(total(sent) + nextLine.length + 1).toBeGreaterThan(8000);
  });

  it('the [Earlier conversation] header counts toward the budget too', async () => {
    // Two identical sessions: measure the prompt in one, then send the same turn in the other
    // with the budget set just below that size: something must go.
    const probe = 'Probe the size';
    await chatBlocking(env.s, { content: probe, session_id: 'hdr-a' });
    const full = total(wireMessages(env.fake.requests[0]!));
    expect(full, 'the whole prompt history, header included, fits the default budget').toBeLessThanOrEqual(8000);
    const budget = full - 12; // less than the header's 22 characters below the full size
    expect((await env.s.request('/api/v1/settings', { method: 'PUT', json: { compaction_char_budget: budget } })).status).toBe(200);
    try {
      await chatBlocking(env.s, { content: probe, session_id: 'hdr-b' });
      const sent = wireMessages(env.fake.requests[1]!);
      expect(total(sent)).toBeLessThanOrEqual(budget);
    } finally {
      await env.s.request('/api/v1/settings', { method: 'PUT', json: { compaction_char_budget: 8000 } });
    }
  });

  it('a smaller compaction_char_budget (set over REST) applies on the next turn; the new message is always sent', async () => {
    expect((await env.s.request('/api/v1/settings', { method: 'PUT', json: { compaction_char_budget: 2000 } })).status).toBe(200);
    try {
      const res = await chatBlocking(env.s, { content: 'Short question now', session_id: 'small-budget' });
      expect(res.status).toBe(200);
      const sent = wireMessages(env.fake.requests[0]!);
      expect(total(sent)).toBeLessThanOrEqual(2000);
      expect(sent.at(-1)).toMatchObject({ role: 'user', text: 'Short question now' });
      expect(sent[0]!.role).toBe('user');
      const stored = [...conversation, { role: 'user', content: 'Short question now' }];
      // Whatever is sent is a verbatim suffix of the conversation, plus possibly a summary first.
      const verbatim = sent[0]!.text.startsWith('[Earlier conversation]') ? sent.slice(1) : sent;
      expect(verbatim.map((m) => ({ role: m.role, content: m.text }))).toEqual(stored.slice(-verbatim.length));
      expect(verbatim.length).toBeLessThan(10);
    } finally {
      await env.s.request('/api/v1/settings', { method: 'PUT', json: { compaction_char_budget: 8000 } });
    }
  });

  it('compaction_recent_window changes how many messages stay verbatim', async () => {
    expect((await env.s.request('/api/v1/settings', { method: 'PUT', json: { compaction_recent_window: 4 } })).status).toBe(200);
    try {
      await chatBlocking(env.s, { content: 'Window of four', session_id: 'window' });
      const sent = wireMessages(env.fake.requests[0]!);
      const stored = [...conversation, { role: 'user', content: 'Window of four' }];
      expect(sent[0]!.text.startsWith('[Earlier conversation]\n')).toBe(true);
      expect(sent.slice(1).map((m) => ({ role: m.role, content: m.text }))).toEqual(stored.slice(-4));
      expect(total(sent)).toBeLessThanOrEqual(8000);
    } finally {
      await env.s.request('/api/v1/settings', { method: 'PUT', json: { compaction_recent_window: 10 } });
    }
  });
});
