import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';

let s: TestServer;
const ID = 'websocket_bad-input-target';

beforeAll(async () => {
  s = await startTestServer();
  s.importDir(writePocketPawDir({
    [ID]: [{ role: 'user', content: 'original question' }],
    websocket_other: [{ role: 'user', content: 'other' }],
  }));
});
afterAll(() => s.close());

async function snapshot() {
  return (await s.get('/api/sessions?limit=500')).body;
}

const raw = (path: string, body: string, method = 'POST') =>
  s.request(path, { method, body, headers: { 'content-type': 'application/json' } });

describe('bad input changes nothing and gets a clear 4xx', () => {
  it('rename: malformed JSON, non-object bodies, wrong types, empty and overlong titles', async () => {
    const before = await snapshot();
    const legacy = `/api/sessions/${ID}/title`;
    const v1 = `/api/v1/sessions/${ID}/title`;
    const cases: Array<[string, string, number, unknown]> = [
      [legacy, '{"title": ', 400, { detail: 'Invalid JSON body' }],
      [legacy, 'not json', 400, { detail: 'Invalid JSON body' }],
      [legacy, '[1,2]', 400, { detail: 'Invalid JSON body' }],
      [legacy, '"a string"', 400, { detail: 'Invalid JSON body' }],
      [legacy, '', 400, { detail: 'Invalid JSON body' }],
      [legacy, '{}', 400, { detail: 'Title is required' }],
      [legacy, '{"title": 42}', 400, { detail: 'Title is required' }],
      [legacy, '{"title": null}', 400, { detail: 'Title is required' }],
      [legacy, '{"title": ["x"]}', 400, { detail: 'Title is required' }],
      [legacy, '{"title": ""}', 400, { detail: 'Title is required' }],
      [legacy, '{"title": "   \\n\\t "}', 400, { detail: 'Title is required' }],
      [legacy, JSON.stringify({ title: 'x'.repeat(201) }), 400, { detail: 'Title must be at most 200 characters' }],
      // Typed body: FastAPI's json_invalid, as PocketPaw answers (spec §1.3).
      [v1, '{"title": ', 422, { detail: [{ type: 'json_invalid', loc: ['body', 10], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } }] }],
    ];
    for (const [path, body, status, detail] of cases) {
      const res = await raw(path, body);
      expect([res.status, res.body], `${path} ${body}`).toEqual([status, detail]);
    }
    for (const body of ['{}', '{"title": 42}', '{"title": ""}', JSON.stringify({ title: 'y'.repeat(201) }), '[1]', '"s"']) {
      const res = await raw(v1, body);
      expect(res.status, body).toBe(422);
      expect(Array.isArray(res.body.detail), body).toBe(true);
      expect(res.body.detail[0]).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('counts title length in characters, not UTF-16 units', async () => {
    const emoji200 = '🐾'.repeat(200);
    expect((await s.post(`/api/sessions/${ID}/title`, { title: emoji200 })).status).toBe(200);
    expect((await s.post(`/api/sessions/${ID}/title`, { title: `${emoji200}!` })).status).toBe(400);
    expect((await s.post(`/api/v1/sessions/${ID}/title`, { title: `${emoji200}!` })).status).toBe(422);
  });

  it('ids that are not sessions get 404 and touch nothing', async () => {
    const before = await snapshot();
    const ids = ['_index', '_aliases', '..%2F..%2Fetc%2Fpasswd', '..%2F_index', `${ID}_compaction`,
      'x'.repeat(10 * 1024), "websocket_' OR '1'='1", 'websocket_%00', encodeURIComponent('websocket:🐾:東京')];
    for (const id of ids) {
      for (const [method, path, body] of [
        ['POST', `/api/sessions/${id}/title`, '{"title":"pwned"}'],
        ['POST', `/api/v1/sessions/${id}/title`, '{"title":"pwned"}'],
        ['DELETE', `/api/sessions/${id}`, undefined],
        ['DELETE', `/api/v1/sessions/${id}`, undefined],
      ] as const) {
        const res = await s.request(path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
        expect(res.status, `${method} ${path.slice(0, 80)}`).toBe(404);
        expect(res.body.detail).toBe('Session not found');
      }
      const exp = await s.get(`/api/v1/sessions/${id}/export`);
      expect(exp.status).toBe(404);
      expect((await s.get(`/api/memory/session?id=${id}`)).body).toEqual([]);
    }
    // Dot segments are resolved by the router before matching: a plain 404, never a file.
    const dots = await s.post('/api/sessions/%2E%2E/title', { title: 'pwned' });
    expect([dots.status, dots.body]).toEqual([404, { detail: 'Not Found' }]);
    expect(await snapshot()).toEqual(before);
  });

  it('bodies over 1 MB → 413 with a detail, nothing stored', async () => {
    const before = await snapshot();
    const res = await raw(`/api/sessions/${ID}/title`, JSON.stringify({ title: 'z'.repeat(1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/too large/i);
    expect(await snapshot()).toEqual(before);
  });

  it('wrong methods → 405 with Allow; unknown routes → 404', async () => {
    const put = await s.request(`/api/sessions/${ID}/title`, { method: 'PUT' });
    expect([put.status, put.body]).toEqual([405, { detail: 'Method Not Allowed' }]);
    expect(put.headers.allow).toContain('POST');
    expect((await s.request('/api/v1/sessions', { method: 'PATCH' })).status).toBe(405);
    expect(await s.get('/api/nothing-here').then((r) => [r.status, r.body])).toEqual([404, { detail: 'Not Found' }]);
  });

  it('a body without Content-Type is still read as JSON (as `curl -d` sends it)', async () => {
    const res = await s.request(`/api/sessions/${ID}/title`, { method: 'POST', body: '{"title":"From curl"}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.body).toEqual({ status: 'ok' });
    expect((await snapshot()).sessions.find((x: { id: string }) => x.id === ID).title).toBe('From curl');
  });
});

describe('concurrency', () => {
  it('20 clients renaming one session at once: every call answers, one title wins, state is consistent', async () => {
    const titles = Array.from({ length: 20 }, (_, i) => `Concurrent ${i}`);
    const results = await Promise.all(titles.map((title) => s.post(`/api/sessions/${ID}/title`, { title })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const row = (await snapshot()).sessions.find((x: { id: string }) => x.id === ID);
    expect(titles).toContain(row.title);
    expect(row.user_title).toBe(row.title);
  });

  it('20 clients renaming and deleting one session: each gets ok or 404, and it ends deleted', async () => {
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? s.del(`/api/sessions/${ID}`) : s.post(`/api/sessions/${ID}/title`, { title: `race ${i}` }));
    const results = await Promise.all(calls);
    for (const r of results) expect([200, 404]).toContain(r.status);
    expect(results.filter((r, i) => i % 2 === 1 && r.status === 200)).toHaveLength(1);
    const after = await snapshot();
    expect(after.sessions.map((x: { id: string }) => x.id)).toEqual(['websocket_other']);
    expect(after.total).toBe(1);
    expect((await s.get(`/api/memory/session?id=${ID}`)).body).toEqual([]);
  });
});
