import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';

let s: TestServer;
const SAME = '2026-03-01T10:00:00.000000';
beforeAll(async () => {
  s = await startTestServer();
  // Four sessions whose last message has the very same timestamp, and one older.
  s.importDir(writePocketPawDir({
    websocket_a: [{ role: 'user', content: 'a', timestamp: SAME }],
    websocket_b: [{ role: 'user', content: 'b', timestamp: SAME }],
    websocket_c: [{ role: 'user', content: 'c', timestamp: SAME }],
    websocket_d: [{ role: 'user', content: 'd', timestamp: SAME }],
    websocket_old: [{ role: 'user', content: 'old', timestamp: '2026-02-01T10:00:00.000000' }],
  }));
});
afterAll(() => s.close());

it('paging with before + before_id visits every session once, even when last_activity ties', async () => {
  const seen: string[] = [];
  let cursor = '';
  for (let page = 0; page < 10; page++) {
    const res = await s.get(`/api/v1/sessions?limit=2${cursor}`);
    const rows = res.body.sessions as Array<{ id: string; last_activity: string }>;
    if (rows.length === 0) break;
    seen.push(...rows.map((r) => r.id));
    const last = rows[rows.length - 1]!;
    cursor = `&before=${encodeURIComponent(last.last_activity)}&before_id=${encodeURIComponent(last.id)}`;
  }
  expect(seen).toEqual(['websocket_d', 'websocket_c', 'websocket_b', 'websocket_a', 'websocket_old']);
});

it('before alone still means strictly earlier', async () => {
  const first = (await s.get('/api/sessions?limit=1')).body.sessions[0];
  const next = await s.get(`/api/sessions?limit=10&before=${encodeURIComponent(first.last_activity)}`);
  expect(next.body.sessions.map((r: { id: string }) => r.id)).toEqual(['websocket_old']);
});
