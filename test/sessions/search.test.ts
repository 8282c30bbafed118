import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { writePocketPawDir, type FixtureMessage } from '../helpers/pocketpaw-fixture.js';

let s: TestServer;
const u = (content: string): FixtureMessage => ({ role: 'user', content });
const a = (content: string): FixtureMessage => ({ role: 'assistant', content });

const sessions: Record<string, FixtureMessage[]> = {
  websocket_s1: [u('Plan a trip to Tokyo'), a('東京の天気は晴れです。Pack light.')],
  websocket_s2: [u('Café recipes please'), a('Try a CRÈME brûlée'), u('and an ÉCLAIR recipe')],
  websocket_s3: [u('x'), a(`${'long '.repeat(100)}needle`)],
  websocket_s4: [u('Robert"); DROP TABLE sessions;-- is my name'), a('"quoted" AND NEAR(* stuff')],
  websocket_s5: [u('Emoji test 🍋🍋 lemons'), a('ok')],
  websocket_s6: [u(`星空の観測記録：${'今夜は月が明るく、'.repeat(40)}おわり`)],
};
// Enough messages containing "garden" to push the query past the index's rare-query cap,
// so the common-word path (walking recent sessions) is exercised too.
for (let i = 0; i < 45; i++) {
  sessions[`websocket_garden${String(i).padStart(2, '0')}`] = Array.from({ length: 50 }, (_, j) =>
    (j % 2 ? a : u)(`The Garden plan number ${i}-${j}`));
}

beforeAll(async () => {
  s = await startTestServer();
  s.importDir(writePocketPawDir(sessions));
});
afterAll(() => s.close());

const search = async (q: string, limit?: number, family = '/api/sessions/search') => {
  const res = await s.get(`${family}?q=${encodeURIComponent(q)}${limit ? `&limit=${limit}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.sessions as Array<{ id: string; title: string; channel: string; match: string; match_role: string; last_activity: string }>;
};

describe('session search (spec §3.1.1, §11.3)', () => {
  it('finds a case-insensitive substring and reports the first matching message', async () => {
    const hits = await search('tokyo');
    expect(hits).toEqual([{
      id: 'websocket_s1', title: 'Plan a trip to Tokyo', channel: 'websocket',
      match: 'Plan a trip to Tokyo', match_role: 'user', last_activity: expect.stringMatching(/\+00:00$/),
    }]);
  });

  it('matches inside words and across scripts: CJK, accents, emoji', async () => {
    expect((await search('京の天')).map((h) => h.id)).toEqual(['websocket_s1']);
    expect((await search('京の天'))[0]!.match_role).toBe('assistant');
    expect((await search('crème')).map((h) => h.id)).toEqual(['websocket_s2']);
    expect((await search('éclair'))[0]!.match).toBe('and an ÉCLAIR recipe');
    expect((await search('🍋🍋')).map((h) => h.id)).toEqual(['websocket_s5']);
  });

  it('handles 1- and 2-character queries', async () => {
    expect((await search('京')).map((h) => h.id)).toEqual(['websocket_s1']);
    expect((await search('🍋')).map((h) => h.id)).toEqual(['websocket_s5']);
    expect((await search('ok')).map((h) => h.id)).toContain('websocket_s1'); // "Tokyo"
  });

  it('truncates match to 200 characters', async () => {
    const [hit] = await search('needle');
    expect(hit!.id).toBe('websocket_s3');
    expect([...hit!.match]).toHaveLength(200);
  });

  it('treats query text literally: SQL and full-text syntax are just characters', async () => {
    expect((await search('DROP TABLE sessions;--')).map((h) => h.id)).toEqual(['websocket_s4']);
    expect((await search('"quoted" AND NEAR(*')).map((h) => h.id)).toEqual(['websocket_s4']);
    expect(await search('NEAR(')).toHaveLength(1);
    expect((await s.get('/api/sessions')).body.total).toBe(51);
  });

  it('empty or blank query → no sessions', async () => {
    expect(await search('')).toEqual([]);
    expect(await search('   ')).toEqual([]);
    expect((await s.get('/api/sessions/search')).body).toEqual({ sessions: [] });
  });

  it('common words: one hit per session, newest activity first, stops at limit', async () => {
    const hits = await search('garden', 7);
    expect(hits).toHaveLength(7);
    expect(hits.map((h) => h.id)).toEqual(['44', '43', '42', '41', '40', '39', '38'].map((n) => `websocket_garden${n}`));
    expect(hits[0]!.match).toBe('The Garden plan number 44-0');
    const all = await search('garden plan number 1', 200, '/api/v1/sessions/search');
    // "…number 1-", "…number 10-" … "…number 19-": sessions 1 and 10–19.
    expect(all.map((h) => h.id).sort()).toEqual(['01', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19'].map((n) => `websocket_garden${n}`));
  });

  it('rare and common paths agree on order', async () => {
    const hits = await search('number 3', 50);
    const times = hits.map((h) => h.last_activity);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('limits: legacy default 20, v1 bounded 1–200', async () => {
    expect(await search('garden')).toHaveLength(20);
    expect((await s.get('/api/v1/sessions/search?q=garden&limit=0')).status).toBe(422);
    expect((await s.get('/api/v1/sessions/search?q=garden&limit=201')).status).toBe(422);
    expect((await s.get('/api/sessions/search?q=garden&limit=x')).status).toBe(422);
  });

  it('reflects renames in hit titles', async () => {
    await s.post('/api/sessions/websocket_s1/title', { title: 'Japan 🗾' });
    expect((await search('tokyo'))[0]!.title).toBe('Japan 🗾');
  });

  it('long queries: only some of their trigrams are looked up, but every hit holds the whole query', async () => {
    const whole = `星空の観測記録：${'今夜は月が明るく、'.repeat(40)}おわり`;
    expect((await search(whole.slice(3, 300))).map((h) => h.id)).toEqual(['websocket_s6']);
    // Same trigrams at the looked-up places, one character changed in between: no hit.
    const altered = `${whole.slice(3, 150)}X${whole.slice(151, 300)}`;
    expect(await search(altered)).toEqual([]);
    // The trigrams are all present, in another order: no hit either (the index keeps no positions).
    expect(await search('明るく、今夜は月が明るく、今夜は月が今夜は')).toEqual([]);
    expect((await search('明るく、今夜は月が明るく、今夜は月が')).map((h) => h.id)).toEqual(['websocket_s6']);
  });
});
