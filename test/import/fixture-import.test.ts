import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectedUtc, loadPocketPawDir, removeTracked, track, type LoadedPocketPawDir } from './pocketpaw-format.js';

// Offset-less PocketPaw timestamps are local time of the importing machine (spec §11.4). Run in
// a zone that is not UTC, so reading them as UTC would be caught.
process.env.TZ = 'America/Los_Angeles';

const BROKEN = [
  'websocket_00000000-0000-4000-8000-000000000000.json',
  'websocket_11111111-1111-4111-8111-111111111111.json',
  'websocket_22222222-2222-4222-8222-222222222222.json',
];
const COMPACTION_ID = 'telegram_6813177364_compaction';

let s: TestServer;
let fx: LoadedPocketPawDir;
let summary: ReturnType<TestServer['importDir']>;
let legacy: Array<Record<string, unknown> & { id: string }>;

beforeAll(async () => {
  s = await startTestServer();
  const src = track(copyFixture());
  fx = loadPocketPawDir(src);
  summary = s.importDir(src);
  const res = await s.get('/api/sessions?limit=500');
  expect(res.status).toBe(200);
  legacy = res.body.sessions;
});
afterAll(async () => {
  await s.close();
  removeTracked();
});

function ours(id: string) {
  const row = legacy.find((x) => x.id === id);
  expect(row, `session ${id} in our list`).toBeDefined();
  return row!;
}

describe('importing the PocketPaw 0.4.4 fixture', () => {
  it('runs in a non-UTC zone (guards the timestamp checks)', () => {
    expect(new Date('2026-02-01T12:00:00').getTimezoneOffset()).not.toBe(0);
  });

  it('imports all 40 good sessions and every message', async () => {
    const ids = Object.keys(fx.index).sort();
    expect(ids).toHaveLength(40);
    expect(Object.keys(fx.sessions).sort()).toEqual(ids);
    expect(summary.sessionsCreated).toBe(40);
    expect(summary.sessionsUpdated).toBe(0);
    expect(summary.messagesImported).toBe(Object.values(fx.sessions).reduce((n, m) => n + m.length, 0));
    expect(legacy.map((x) => x.id).sort()).toEqual(ids);
    const v1 = await s.get('/api/v1/sessions?limit=500');
    expect(v1.body.total).toBe(40);
  });

  it('reports the empty, non-list and truncated files with a reason and goes on', () => {
    expect(summary.sessionFiles).toBe(43);
    const failures = [...summary.failures].sort((a, b) => a.file.localeCompare(b.file));
    expect(failures.map((f) => f.file)).toEqual(BROKEN);
    expect(failures[0]!.reason).toMatch(/empty|no messages/i);
    expect(failures[1]!.reason).toMatch(/list/i);
    expect(failures[2]!.reason).toMatch(/JSON/);
    for (const f of failures) expect(f.reason.trim().length).toBeGreaterThan(5);
    for (const file of BROKEN) expect(legacy.some((x) => `${x.id}.json` === file)).toBe(false);
  });

  it('never treats _index.json or a _compaction.json cache as a session', async () => {
    const names = [...summary.failures.map((f) => f.file), ...legacy.map((x) => `${x.id}.json`)];
    expect(names.some((n) => n.startsWith('_') || n.endsWith('_compaction.json'))).toBe(false);
    expect(legacy.some((x) => x.id === '_index' || x.id === COMPACTION_ID)).toBe(false);
    expect((await s.get(`/api/v1/sessions/${COMPACTION_ID}/history`)).body).toEqual([]);
    expect((await s.get(`/api/v1/sessions/${COMPACTION_ID}/export?format=json`)).status).toBe(404);
    // The session the cache belongs to is a normal session.
    expect(ours('telegram_6813177364').message_count).toBe(fx.sessions.telegram_6813177364!.length);
  });

  it('keeps the index titles, counts, previews and channels', () => {
    for (const [id, entry] of Object.entries(fx.index)) {
      const row = ours(id);
      expect(row.title, id).toBe(entry.title);
      expect(row.message_count, id).toBe(entry.message_count);
      expect(row.preview, id).toBe(entry.preview);
      expect(row.channel, id).toBe(entry.channel);
      if (entry.user_title === undefined) expect(row, id).not.toHaveProperty('user_title');
    }
    expect(new Set(legacy.map((x) => x.channel))).toEqual(new Set(['websocket', 'telegram']));
  });

  it('keeps the two titles the user set, as user_title in the legacy list', async () => {
    const renamed = legacy.filter((x) => 'user_title' in x).map((x) => ({ id: x.id, title: String(x.title), user_title: x.user_title }));
    expect(renamed.sort((a, b) => a.title.localeCompare(b.title))).toEqual([
      { id: 'websocket_ad62558b-3e30-451d-9149-6151f3204836', title: 'Recipes 🍋', user_title: 'Recipes 🍋' },
      { id: 'websocket_3e1a14f2-b5aa-4e7c-8731-e82c59cfdf89', title: 'Trip ideas', user_title: 'Trip ideas' },
    ]);
    const v1 = await s.get('/api/v1/sessions?limit=500');
    const v1Titles = new Map<string, string>(v1.body.sessions.map((x: { id: string; title: string }) => [x.id, x.title]));
    for (const [id, entry] of Object.entries(fx.index)) expect(v1Titles.get(id), id).toBe(entry.title);
  });

  it('gives created and last_activity as the local index times converted to UTC', () => {
    for (const [id, entry] of Object.entries(fx.index)) {
      const row = ours(id);
      expect(row.created, id).toBe(expectedUtc(entry.created));
      expect(row.last_activity, id).toBe(expectedUtc(entry.last_activity));
      expect(row.created).toMatch(/\+00:00$/);
    }
  });

  it('lists sessions by last activity, newest first', () => {
    const expected = Object.entries(fx.index)
      .sort(([, a], [, b]) => Date.parse(b.last_activity) - Date.parse(a.last_activity))
      .map(([id]) => id);
    expect(legacy.map((x) => x.id)).toEqual(expected);
  });

  it('serves each session\'s history as the file\'s role/content, in order', async () => {
    for (const [id, messages] of Object.entries(fx.sessions)) {
      const res = await s.get(`/api/v1/sessions/${id}/history?limit=500`);
      expect(res.status, id).toBe(200);
      expect(res.body, id).toMatchObject(messages.map((m) => ({ role: m.role, content: m.content })));
    }
  });

  it('keeps message ids, metadata and timestamps (JSON export)', async () => {
    for (const [id, messages] of Object.entries(fx.sessions)) {
      const res = await s.get(`/api/v1/sessions/${id}/export?format=json`);
      expect(res.status, id).toBe(200);
      const doc = JSON.parse(res.text) as { message_count: number; messages: unknown[] };
      expect(doc.message_count, id).toBe(messages.length);
      expect(doc.messages, id).toEqual(messages.map((m) => ({
        id: m.id, role: m.role, content: m.content, timestamp: expectedUtc(m.timestamp), metadata: m.metadata,
      })));
    }
    // The fixture does carry non-empty metadata, so the check above is not vacuous.
    const telegram = fx.sessions.telegram_6813177364!;
    expect(telegram[0]!.metadata).toEqual({ username: 'bjorn' });
  });
});
