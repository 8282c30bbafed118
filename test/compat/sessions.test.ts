import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { allCallers, type Caller } from './helpers.js';

/**
 * The sessions rows of the dashboard's table (spec §3.1) under every auth mode: list, inline
 * rename with non-ASCII titles, delete, export. Sessions come in through the real import.
 */
let s: TestServer;
let callers: Caller[];
const ids: string[] = [];
beforeAll(async () => {
  s = await startTestServer();
  callers = await allCallers(s);
  const sessions: Record<string, Array<{ role: string; content: string }>> = {};
  for (let i = 0; i < 12; i++) {
    const id = `websocket_${String(i).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
    ids.push(id);
    sessions[id] = [{ role: 'user', content: `Question ${i}` }, { role: 'assistant', content: `Answer ${i}` }];
  }
  s.importDir(writePocketPawDir(sessions, { start: new Date('2026-01-05T10:00:00') }));
});
afterAll(() => s.close());

type Summary = { id: string; title: string; last_activity: string; message_count: number; user_title?: string };

async function list(c: Caller): Promise<{ sessions: Summary[]; total: number }> {
  const res = await c.get('/api/sessions?limit=100');
  expect(res.status, c.name).toBe(200);
  return res.body;
}

describe('GET /api/sessions?limit=100', () => {
  it('§3.1 legacy shape, newest activity first, with total — under every auth mode', async () => {
    for (const c of callers) {
      const body = await list(c);
      expect(Object.keys(body).sort()).toEqual(['sessions', 'total']);
      expect(body.total).toBe(body.sessions.length);
      const times = body.sessions.map((x) => x.last_activity);
      expect(times).toEqual([...times].sort().reverse());
      for (const x of body.sessions) {
        expect(Object.keys(x).filter((k) => k !== 'user_title').sort()).toEqual(['channel', 'created', 'id', 'last_activity', 'message_count', 'preview', 'title']);
      }
    }
  });
});

describe('POST /api/sessions/{id}/title and DELETE /api/sessions/{id}', () => {
  it('renames with non-ASCII titles without touching last_activity; delete removes it, total − 1, history []', async () => {
    for (const [i, c] of callers.entries()) {
      const renameId = ids[i * 2]!;
      const deleteId = ids[i * 2 + 1]!;
      const before = (await list(c)).sessions.find((x) => x.id === renameId)!;
      const title = `  Réunion à 東京 🐾 #${i} — Привет  `;
      const res = await c.post(`/api/sessions/${renameId}/title`, { title });
      expect(res.status, c.name).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
      const after = (await list(c)).sessions.find((x) => x.id === renameId)!;
      expect(after).toMatchObject({ title: title.trim(), user_title: title.trim(), message_count: 2 });
      expect(after.last_activity).toBe(before.last_activity);

      const total = (await list(c)).total;
      const del = await c.del(`/api/sessions/${deleteId}`);
      expect(del.status, c.name).toBe(200);
      expect(del.body).toEqual({ status: 'ok' });
      const now = await list(c);
      expect(now.total).toBe(total - 1);
      expect(now.sessions.map((x) => x.id)).not.toContain(deleteId);
      expect((await c.get(`/api/memory/session?id=${deleteId}`)).body).toEqual([]);
      expect((await c.del(`/api/sessions/${deleteId}`)).status).toBe(404);
    }
  });
});

describe('GET /api/memory/session/export', () => {
  it('json and md attachments (spec §3.1.3) under every auth mode', async () => {
    const id = ids[11]!;
    for (const c of callers) {
      const json = await c.get(`/api/memory/session/export?id=${id}&format=json`);
      expect(json.status, c.name).toBe(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.headers['content-disposition']).toBe(`attachment; filename="pocketpaw-session-${id.slice(0, 20)}.json"`);
      const doc = JSON.parse(json.text);
      expect(doc).toMatchObject({ export_version: '1.0', session_id: id, message_count: 2 });
      expect(doc.messages.map((m: { content: string }) => m.content)).toEqual(['Question 11', 'Answer 11']);
      const md = await c.get(`/api/memory/session/export?id=${id}&format=md`);
      expect(md.headers['content-type']).toMatch(/^text\/markdown/);
      expect(md.text.split('\n')[0]).toBe('# Conversation Export');
      expect(md.text).toContain('**User**');
    }
    expect((await s.get('/api/memory/session/export?id=websocket_nope')).status).toBe(404);
  });
});
