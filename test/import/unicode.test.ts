import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { firstCodePoints, loadPocketPawDir, removeTracked, track, writeSession, type PpMessage } from './pocketpaw-format.js';

const TOKYO = 'websocket_7a7a7a7a-0000-4000-8000-00000000000a';
const SUSHI = 'telegram_424242';
const TRAVEL = 'websocket_api_c0ffeec0ffee';

// 79 letters, then emoji straddling the 80-code-point title cut and the 120-code-point preview cut.
const LONG_EMOJI = `${'a'.repeat(79)}🍣🍤 and then ${'b'.repeat(25)}😀😀😀 寿司 🎉 the end`;

function msg(n: number, role: string, content: string, metadata: Record<string, unknown> = {}): PpMessage {
  return { id: `9e9e9e9e-0000-4000-8000-${String(n).padStart(12, '0')}`, role, content, timestamp: `2026-02-0${1 + (n % 8)}T1${n % 10}:00:00.00000${n % 10}`, metadata };
}

let s: TestServer;
let root: string;

beforeAll(async () => {
  root = track(path.join(tempDir('pocketpaw-src-'), '.pocketpaw'));
  writeSession(root, TOKYO, [
    msg(1, 'user', '  東京の天気はどうですか？明日は雨が降りますか  ', { action: 'chat', message: '東京の天気はどうですか？' }),
    msg(2, 'assistant', '明日の東京は晴れです ☀️ Crème Brûlée weather!'),
  ]);
  writeSession(root, SUSHI, [
    msg(3, 'user', LONG_EMOJI, { username: 'ユーザー' }),
    msg(4, 'assistant', LONG_EMOJI),
  ]);
  writeSession(root, TRAVEL, [
    msg(5, 'user', 'Plan a trip to Kyōto 京都'),
    msg(6, 'assistant', 'Ça marche — let\'s go 🚄'),
  ], '旅行 ✈️ 計画 🇯🇵');
  s = await startTestServer();
  expect(s.importDir(root)).toMatchObject({ sessionsCreated: 3, messagesImported: 6, failures: [] });
});
afterAll(async () => {
  await s.close();
  removeTracked();
});

async function search(q: string, family = '/api/v1'): Promise<Array<{ id: string; match: string; match_role: string; title: string }>> {
  const res = await s.get(`${family}/sessions/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return res.body.sessions;
}

describe('unicode and emoji through the import', () => {
  it('reads PocketPaw\'s ASCII-escaped files (the fixture really is escaped)', () => {
    const raw = fs.readFileSync(path.join(root, 'memory', 'sessions', `${SUSHI}.json`), 'utf8');
    expect(raw).toMatch(/^[\x00-\x7f]*$/);
    expect(raw).toContain('\\ud83c\\udf63'); // 🍣 as a surrogate pair
  });

  it('keeps titles and previews intact, cut at code points like Python', async () => {
    const index = loadPocketPawDir(root).index;
    const list = (await s.get('/api/sessions')).body.sessions as Array<Record<string, unknown>>;
    for (const id of [TOKYO, SUSHI, TRAVEL]) {
      const row = list.find((x) => x.id === id)!;
      expect(row.title, id).toBe(index[id]!.title);
      expect(row.preview, id).toBe(index[id]!.preview);
    }
    const sushi = list.find((x) => x.id === SUSHI)!;
    expect(sushi.title).toBe(`${'a'.repeat(79)}🍣`);
    expect(sushi.preview).toBe(firstCodePoints(LONG_EMOJI, 120));
    expect(list.find((x) => x.id === TOKYO)!.title).toBe('東京の天気はどうですか？明日は雨が降りますか');
    expect(list.find((x) => x.id === TRAVEL)).toMatchObject({ title: '旅行 ✈️ 計画 🇯🇵', user_title: '旅行 ✈️ 計画 🇯🇵' });
  });

  it('keeps message content and metadata byte for byte', async () => {
    const sessions = loadPocketPawDir(root).sessions;
    for (const id of [TOKYO, SUSHI, TRAVEL]) {
      expect((await s.get(`/api/v1/sessions/${id}/history`)).body).toMatchObject(sessions[id]!.map((m) => ({ role: m.role, content: m.content })));
    }
    const doc = JSON.parse((await s.get(`/api/v1/sessions/${SUSHI}/export?format=json`)).text);
    expect(doc.messages[0].metadata).toEqual({ username: 'ユーザー' });
    expect(doc.messages[1].content).toBe(LONG_EMOJI);
  });

  it('search finds a two-character CJK substring', async () => {
    const hits = await search('京の');
    expect(hits.map((h) => h.id)).toEqual([TOKYO]);
    expect(hits[0]).toMatchObject({ match: '  東京の天気はどうですか？明日は雨が降りますか  ', match_role: 'user' });
  });

  it('search finds longer CJK, emoji and accented text, case-insensitively, on both families', async () => {
    expect((await search('天気はどう')).map((h) => h.id)).toEqual([TOKYO]);
    expect((await search('京都', '/api')).map((h) => h.id)).toEqual([TRAVEL]);
    expect((await search('🍣🍤')).map((h) => h.id)).toEqual([SUSHI]);
    expect((await search('🚄')).map((h) => ({ id: h.id, role: h.match_role }))).toEqual([{ id: TRAVEL, role: 'assistant' }]);
    expect((await search('CRÈME BRÛLÉE')).map((h) => h.id)).toEqual([TOKYO]);
    expect((await search('寿司')).map((h) => h.id)).toEqual([SUSHI]);
    expect(await search('大阪')).toEqual([]);
  });
});
