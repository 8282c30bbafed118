import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectedUtc, loadPocketPawDir, localStamp, removeTracked, track, writeSession, type PpMessage } from './pocketpaw-format.js';

process.env.TZ = 'Asia/Kolkata';

const TELEGRAM = 'telegram_6813177364';
const RECIPES = 'websocket_ad62558b-3e30-451d-9149-6151f3204836';
const PLAIN = 'websocket_2e44158b-ae97-4a94-90ed-a82f8f6d0558';

let s: TestServer;
let src: string;

beforeAll(async () => {
  s = await startTestServer();
  src = track(copyFixture());
  expect(s.importDir(src).sessionsCreated).toBe(40);
});
afterAll(async () => {
  await s.close();
  removeTracked();
});

async function listed(id: string) {
  const res = await s.get('/api/sessions?limit=500');
  return { total: res.body.total as number, row: res.body.sessions.find((x: { id: string }) => x.id === id) };
}

async function history(id: string): Promise<Array<{ role: string; content: string }>> {
  return (await s.get(`/api/v1/sessions/${id}/history?limit=500`)).body;
}

/** Appends messages to a session file of the source, as PocketPaw would after more chatting. */
function chatMore(id: string, added: Array<Pick<PpMessage, 'role' | 'content'>>): PpMessage[] {
  const file = path.join(src, 'memory', 'sessions', `${id}.json`);
  const messages = JSON.parse(fs.readFileSync(file, 'utf8')) as PpMessage[];
  const last = new Date(messages[messages.length - 1]!.timestamp);
  const more = added.map((m, i) => ({
    id: `0000000${i}-feed-4bad-8000-${id.slice(-12).padStart(12, '0')}`,
    role: m.role,
    content: m.content,
    timestamp: localStamp(new Date(last.getTime() + (i + 1) * 60_000), 321),
    metadata: m.role === 'user' ? { action: 'chat', message: m.content } : {},
  }));
  writeSession(src, id, [...messages, ...more]);
  return more;
}

describe('importing the same PocketPaw dir again', () => {
  it('adds nothing the second time', async () => {
    const before = await history(TELEGRAM);
    const again = s.importDir(src);
    expect(again).toMatchObject({ sessionsCreated: 0, sessionsUpdated: 0, sessionsUnchanged: 40, messagesImported: 0 });
    expect(again.failures).toHaveLength(3);
    const { total, row } = await listed(TELEGRAM);
    expect(total).toBe(40);
    expect(row.message_count).toBe(before.length);
    expect(await history(TELEGRAM)).toEqual(before);
  });

  it('adds only the messages written to the source since', async () => {
    const before = await history(TELEGRAM);
    const more = chatMore(TELEGRAM, [
      { role: 'user', content: 'And what about rye flour?' },
      { role: 'assistant', content: 'Rye ferments faster, so shorten the proof.' },
    ]);
    const result = s.importDir(src);
    expect(result).toMatchObject({ sessionsCreated: 0, sessionsUpdated: 1, sessionsUnchanged: 39, messagesImported: 2 });
    expect(await history(TELEGRAM)).toMatchObject([...before, ...more.map((m) => ({ role: m.role, content: m.content }))]);
    const { total, row } = await listed(TELEGRAM);
    expect(total).toBe(40);
    expect(row).toMatchObject({
      message_count: before.length + 2,
      preview: 'Rye ferments faster, so shorten the proof.',
      last_activity: expectedUtc(more[1]!.timestamp),
    });
    const exported = JSON.parse((await s.get(`/api/v1/sessions/${TELEGRAM}/export?format=json`)).text);
    expect(exported.messages.slice(-2).map((m: { id: string }) => m.id)).toEqual(more.map((m) => m.id));
    // And once more: still nothing new.
    expect(s.importDir(src)).toMatchObject({ sessionsUpdated: 0, messagesImported: 0 });
  });

  it('creates a session that appeared in the source since', async () => {
    writeSession(src, 'websocket_api_0123456789ab', [
      { id: 'a1a1a1a1-0000-4000-8000-000000000001', role: 'user', content: 'Brand new question', timestamp: '2026-03-01T09:00:00.000001', metadata: { source: 'rest_api' } },
    ]);
    expect(s.importDir(src)).toMatchObject({ sessionsCreated: 1, sessionsUpdated: 0, messagesImported: 1 });
    const { total, row } = await listed('websocket_api_0123456789ab');
    expect(total).toBe(41);
    expect(row).toMatchObject({ title: 'Brand new question', channel: 'websocket', message_count: 1 });
  });

  it('keeps a title the user set in this app, also over a PocketPaw user_title and new messages', async () => {
    for (const [id, title] of [[PLAIN, 'Garden planning'], [RECIPES, 'My recipes']] as const) {
      const res = await s.post(`/api/sessions/${id}/title`, { title });
      expect(res.status).toBe(200);
    }
    chatMore(RECIPES, [{ role: 'user', content: 'One more lemon recipe please' }]);
    chatMore(PLAIN, [{ role: 'user', content: 'And courgettes in pots?' }]);
    const result = s.importDir(src);
    expect(result).toMatchObject({ sessionsUpdated: 2, messagesImported: 2 });
    expect((await listed(PLAIN)).row).toMatchObject({ title: 'Garden planning', user_title: 'Garden planning', preview: 'And courgettes in pots?' });
    expect((await listed(RECIPES)).row).toMatchObject({ title: 'My recipes', user_title: 'My recipes', preview: 'One more lemon recipe please' });
    // The source still says "Recipes 🍋": proof the import saw a user_title and did not apply it.
    expect(loadPocketPawDir(src).index[RECIPES]!.user_title).toBe('Recipes 🍋');
  });
});
