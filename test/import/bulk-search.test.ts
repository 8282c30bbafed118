import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { localStamp, removeTracked, track, writeSessions, type PpMessage } from './pocketpaw-format.js';

/**
 * The import writes the search index in bulk (one transaction, no flush per session). Every
 * imported message must still be found: each session carries words no other session has, in
 * messages spread over the whole file, and each word must find exactly its session.
 */
const SESSIONS = 300;
const MESSAGES = 25;

let s: TestServer;
let root: string;
const sessions: Array<{ id: string; messages: PpMessage[] }> = [];

/** Words only session `i` has: ASCII in one message, CJK in another. */
const asciiWord = (i: number) => `qzx${i.toString(36).padStart(3, '0')}vw`;
const cjkWord = (i: number) => `猫${i}犬`;

function message(i: number, j: number, content: string): PpMessage {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000 + j * 60_000);
  return { id: `m-${i}-${j}`, role: j % 2 === 0 ? 'user' : 'assistant', content, timestamp: localStamp(at, j), metadata: {} };
}

async function found(q: string): Promise<Array<{ id: string; match: string }>> {
  const res = await s.get(`/api/v1/sessions/search?q=${encodeURIComponent(q)}&limit=20`);
  expect(res.status).toBe(200);
  return res.body.sessions;
}

beforeAll(async () => {
  s = await startTestServer();
  root = path.join(track(tempDir('pocketpaw-bulk-')), '.pocketpaw');
  for (let i = 0; i < SESSIONS; i++) {
    const messages: PpMessage[] = [];
    for (let j = 0; j < MESSAGES; j++) messages.push(message(i, j, `An ordinary line about the garden, number ${j}.`));
    // First, last and middle positions all occur across the sessions.
    messages[i % MESSAGES]!.content = `Remember ${asciiWord(i)} for later.`;
    messages[(i * 7 + 3) % MESSAGES]!.content += ` ${cjkWord(i)}`;
    sessions.push({ id: `websocket_bulk-${String(i).padStart(4, '0')}`, messages });
  }
  writeSessions(root, sessions);
  const summary = s.importDir(root);
  expect(summary).toMatchObject({ sessionsCreated: SESSIONS, messagesImported: SESSIONS * MESSAGES, failures: [] });
}, 120_000);
afterAll(async () => {
  await s.close();
  removeTracked();
});

describe('search after a bulk import', () => {
  it('finds every session by its own words, ASCII and CJK', async () => {
    const missed: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      for (const word of [asciiWord(i), cjkWord(i)]) {
        const hits = await found(word);
        if (hits.length !== 1 || hits[0]!.id !== sessions[i]!.id || !hits[0]!.match.includes(word)) missed.push(`${word}: ${JSON.stringify(hits)}`);
      }
    }
    expect(missed).toEqual([]);
  }, 120_000);

  it('finds messages a second import added to existing sessions', async () => {
    const grown = sessions.flatMap(({ id, messages }, i) => (i % 10 === 0
      ? [{ id, messages: [...messages, message(i, MESSAGES, `Later addition zyq${i}late.`)] }]
      : []));
    writeSessions(root, sessions.map((x) => grown.find((g) => g.id === x.id) ?? x));
    expect(s.importDir(root)).toMatchObject({ sessionsUpdated: grown.length, messagesImported: grown.length });
    for (const g of grown) {
      const i = sessions.findIndex((x) => x.id === g.id);
      expect((await found(`zyq${i}late`)).map((h) => h.id)).toEqual([g.id]);
    }
    // The first import's words are still found after the second one wrote to the index.
    expect((await found(asciiWord(SESSIONS - 1))).map((h) => h.id)).toEqual([sessions[SESSIONS - 1]!.id]);
  }, 120_000);
});
