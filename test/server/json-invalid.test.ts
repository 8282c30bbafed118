import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Spec §1.3 and §10 item 16: malformed JSON on a typed /api/v1 body (a zod `body` schema, a
// pydantic model in PocketPaw) is FastAPI's 422 `json_invalid`, with Python's position and
// reason; raw-body routes keep 400 {"detail":"Invalid JSON body"}.

let s: TestServer;
const ID = 'websocket_json-invalid';

beforeAll(async () => {
  s = await startTestServer();
  s.importDir(writePocketPawDir({ [ID]: [{ role: 'user', content: 'keep my title' }] }));
});
afterAll(() => s.close());

const send = (path: string, body: string, method = 'POST') =>
  s.request(path, { method, body, headers: { 'content-type': 'application/json' } });

const invalid = (pos: number, error: string) => ({
  detail: [{ type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error } }],
});

// Positions and reasons as Python's json.loads reports them (checked against CPython 3.11).
const CASES: Array<[string, number, string]> = [
  ['{"title": ', 10, 'Expecting value'],
  ['not json', 0, 'Expecting value'],
  ['{a:1}', 1, 'Expecting property name enclosed in double quotes'],
  ['{"title":"x"}x', 13, 'Extra data'],
  ['{"title": "unterminated', 10, 'Unterminated string starting at'],
  ['{"title":"\\q"}', 10, 'Invalid \\escape'],
  ['{"title":"\\u12"}', 11, 'Invalid \\uXXXX escape'],
  ['{"title":"x\ny"}', 11, 'Invalid control character at'],
  // Python counts code points: the emoji is one character there, two UTF-16 units here.
  ['{"t":"😀" x}', 9, "Expecting ',' delimiter"],
  ['{"title":"x",}', 13, 'Expecting property name enclosed in double quotes'],
  ['[1,]', 3, 'Expecting value'],
  ['{"title" "x"}', 9, "Expecting ':' delimiter"],
];

describe('malformed JSON on typed /api/v1 bodies → 422 json_invalid', () => {
  it('rename: FastAPI body with Python position and reason; nothing changes', async () => {
    for (const [body, pos, error] of CASES) {
      const res = await send(`/api/v1/sessions/${ID}/title`, body);
      expect(res.status, body).toBe(422);
      expect(res.body, body).toEqual(invalid(pos, error));
    }
    const listed = (await s.get('/api/v1/sessions')).body.sessions.find((x: { id: string }) => x.id === ID);
    expect(listed.title).toBe('keep my title');
  });

  it('every typed route answers the same way', async () => {
    const typed: Array<[string, string]> = [
      ['POST', '/api/v1/chat'],
      ['POST', '/api/v1/chat/stream'],
      ['POST', '/api/v1/reminders'],
      ['POST', '/api/v1/auth/api-keys'],
      ['POST', '/api/v1/intentions'],
      ['PATCH', '/api/v1/intentions/some-id'],
    ];
    for (const [method, path] of typed) {
      const res = await send(path, '{"content": ', method);
      expect(res.status, path).toBe(422);
      expect(res.body, path).toEqual(invalid(12, 'Expecting value'));
    }
  });

  it('raw-body routes keep 400 Invalid JSON body', async () => {
    const raw: Array<[string, string]> = [
      ['POST', `/api/sessions/${ID}/title`],
      ['PUT', '/api/v1/settings'],
      ['POST', '/api/auth/login'],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/memory/settings'],
    ];
    for (const [method, path] of raw) {
      const res = await send(path, '{"title": ', method);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual({ detail: 'Invalid JSON body' });
    }
  });
});
