import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { writePocketPawDir, type FixtureMessage } from '../helpers/pocketpaw-fixture.js';

let s: TestServer;
const convo = (n: number, topic: string): FixtureMessage[] =>
  Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${topic} message ${i}` }));

// Three sessions, the last written is the most recently active.
const OLD = 'websocket_aaaaaaaa-0000-4000-8000-000000000001';
const MID = 'telegram_12345';
const NEW = 'websocket_api_0123456789ab';

beforeAll(async () => {
  s = await startTestServer();
  s.importDir(writePocketPawDir({ [OLD]: convo(3, 'old'), [MID]: convo(60, 'mid'), [NEW]: convo(2, 'new') }));
});
afterAll(() => s.close());

describe('listing', () => {
  it('legacy list: newest activity first, every index field, total', async () => {
    const res = await s.get('/api/sessions');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(res.body.sessions.map((x: { id: string }) => x.id)).toEqual([NEW, MID, OLD]);
    const first = res.body.sessions[0];
    expect(Object.keys(first).sort()).toEqual(['channel', 'created', 'id', 'last_activity', 'message_count', 'preview', 'title']);
    expect(first).toMatchObject({ title: 'new message 0', channel: 'websocket', message_count: 2, preview: 'new message 1' });
    expect(first.last_activity).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
  });

  it('v1 list has exactly five fields per session', async () => {
    const res = await s.get('/api/v1/sessions?limit=2');
    expect(res.body.total).toBe(3);
    expect(res.body.sessions).toHaveLength(2);
    expect(Object.keys(res.body.sessions[0]).sort()).toEqual(['channel', 'id', 'last_activity', 'message_count', 'title']);
    expect(res.body.sessions[1]).toMatchObject({ id: MID, channel: 'telegram', message_count: 60 });
  });

  it('legacy bare-array alias /api/memory/sessions', async () => {
    const res = await s.get('/api/memory/sessions?limit=2');
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((x: { id: string }) => x.id)).toEqual([NEW, MID]);
  });

  it('pages with ?before=<last_activity> cursor', async () => {
    const first = await s.get('/api/v1/sessions?limit=1');
    const cursor = first.body.sessions[0].last_activity;
    const next = await s.get(`/api/v1/sessions?limit=5&before=${encodeURIComponent(cursor)}`);
    expect(next.body.sessions.map((x: { id: string }) => x.id)).toEqual([MID, OLD]);
    expect(next.body.total).toBe(3);
  });

  it('limits: v1 rejects out of range with 422; legacy clamps (spec §11.6)', async () => {
    for (const bad of ['0', '501', 'abc', '1.5', '-3']) {
      const res = await s.get(`/api/v1/sessions?limit=${bad}`);
      expect(res.status, bad).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['query', 'limit']);
    }
    expect((await s.get('/api/sessions?limit=abc')).status).toBe(422);
    expect((await s.get('/api/sessions?limit=0')).body).toEqual({ sessions: [], total: 3 });
    expect((await s.get('/api/sessions?limit=-5')).body.sessions).toEqual([]);
    expect((await s.get('/api/sessions?limit=100000')).body.sessions).toHaveLength(3);
  });
});

describe('history', () => {
  it('legacy /api/memory/session returns the last N as {role, content}, oldest first', async () => {
    const res = await s.get(`/api/memory/session?id=${MID}&limit=3`);
    expect(res.body).toEqual([
      { role: 'assistant', content: 'mid message 57' },
      { role: 'user', content: 'mid message 58' },
      { role: 'assistant', content: 'mid message 59' },
    ]);
    expect((await s.get(`/api/memory/session?id=${MID}`)).body).toHaveLength(50);
  });

  it('legacy history is [] for a missing or unknown id', async () => {
    expect((await s.get('/api/memory/session')).body).toEqual([]);
    expect((await s.get('/api/memory/session?id=nope')).body).toEqual([]);
  });

  it('v1 history with colon-form id and limit bounds', async () => {
    const res = await s.get('/api/v1/sessions/telegram:12345/history?limit=2');
    expect(res.body).toMatchObject([{ role: 'user', content: 'mid message 58' }, { role: 'assistant', content: 'mid message 59' }]);
    expect((await s.get(`/api/v1/sessions/${MID}/history?limit=0`)).status).toBe(422);
    expect((await s.get(`/api/v1/sessions/${MID}/history?limit=501`)).status).toBe(422);
  });
});

describe('export', () => {
  it('json: pretty-printed document with the spec fields and attachment headers', async () => {
    const res = await s.get(`/api/v1/sessions/${OLD}/export?format=json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="pocketpaw-session-${OLD.slice(0, 20)}.json"`);
    expect(res.text).toContain('\n  "export_version": "1.0"');
    const doc = JSON.parse(res.text);
    expect(doc).toMatchObject({ export_version: '1.0', session_id: OLD, message_count: 3 });
    expect(doc.exported_at).toMatch(/\+00:00$/);
    expect(doc.messages[0]).toEqual({ id: `${OLD}-m0`, role: 'user', content: 'old message 0', timestamp: expect.stringMatching(/\+00:00$/), metadata: {} });
  });

  it('md: the exact line layout of spec §3.1.3', async () => {
    const res = await s.get(`/api/memory/session/export?id=${OLD}&format=md`);
    expect(res.headers['content-type']).toContain('text/markdown');
    const lines = res.text.split('\n');
    expect(lines[0]).toBe('# Conversation Export');
    expect(lines[1]).toMatch(new RegExp(`^\\*\\*Session\\*\\*: \`${OLD}\` \\| \\*\\*Messages\\*\\*: 3 \\| \\*\\*Exported\\*\\*: \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}$`));
    expect(lines.slice(2, 4)).toEqual(['', '---']);
    expect(lines[4]).toBe('');
    expect(lines[5]).toMatch(/^\*\*User\*\* \(\d{2}:\d{2}\):$/);
    expect(lines.slice(6, 9)).toEqual(['old message 0', '', '---']);
    expect(lines[10]).toMatch(/^\*\*Assistant\*\* \(\d{2}:\d{2}\):$/);
    expect(res.headers['content-disposition']).toContain('.md"');
  });

  it('errors: missing id, bad format, unknown session', async () => {
    expect(await s.get('/api/memory/session/export?format=md').then((r) => [r.status, r.body])).toEqual([400, { detail: 'Missing required parameter: id' }]);
    expect(await s.get(`/api/memory/session/export?id=${OLD}&format=pdf`).then((r) => [r.status, r.body])).toEqual([400, { detail: "Format must be 'json' or 'md'" }]);
    expect(await s.get(`/api/v1/sessions/${OLD}/export?format=txt`).then((r) => r.body)).toEqual({ detail: "Format must be 'json' or 'md'" });
    expect(await s.get('/api/v1/sessions/websocket:nope/export').then((r) => [r.status, r.body])).toEqual([404, { detail: 'Session not found: websocket:nope' }]);
  });
});

describe('delete', () => {
  it('removes the session, its messages and its search hits; total drops by one', async () => {
    const before = (await s.get('/api/sessions')).body.total;
    const res = await s.del(`/api/sessions/${OLD}`);
    expect(res.body).toEqual({ status: 'ok' });
    const after = await s.get('/api/sessions');
    expect(after.body.total).toBe(before - 1);
    expect(after.body.sessions.map((x: { id: string }) => x.id)).not.toContain(OLD);
    expect((await s.get(`/api/memory/session?id=${OLD}`)).body).toEqual([]);
    expect((await s.get('/api/sessions/search?q=old message')).body.sessions).toEqual([]);
    expect((await s.del(`/api/sessions/${OLD}`)).status).toBe(404);
  });

  it('v1 delete with colon form; unknown → 404 Session not found', async () => {
    expect((await s.del('/api/v1/sessions/websocket:api:0123456789ab')).body).toEqual({ status: 'ok' });
    const res = await s.del('/api/v1/sessions/websocket:api:0123456789ab');
    expect([res.status, res.body]).toEqual([404, { detail: 'Session not found' }]);
  });
});
