import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Spec §3.1.3: the export file is named after the id as the client gave it (PocketPaw: `id[:20]`),
// so a colon-form id keeps its colon; only what a quoted header cannot carry becomes `_`.

const UUID = '3f2b8c1e-7d4a-4e59-9a61-0c5b2e8f7d10';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  s.importDir(writePocketPawDir({
    [`websocket_${UUID}`]: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }],
    'websocket_say"hi"': [{ role: 'user', content: 'odd id' }],
  }));
});
afterAll(() => s.close());

const disposition = (name: string) => `attachment; filename="${name}"`;

describe('export file names use the id as requested', () => {
  it('colon form: legacy and v1, json and md', async () => {
    const colon = `websocket:${UUID}`;
    const stem = `pocketpaw-session-${colon.slice(0, 20)}`;
    expect(stem).toBe('pocketpaw-session-websocket:3f2b8c1e-7');
    for (const format of ['json', 'md']) {
      const legacy = await s.get(`/api/memory/session/export?id=${encodeURIComponent(colon)}&format=${format}`);
      expect(legacy.status).toBe(200);
      expect(legacy.headers['content-disposition']).toBe(disposition(`${stem}.${format}`));
      const v1 = await s.get(`/api/v1/sessions/${colon}/export?format=${format}`);
      expect(v1.status).toBe(200);
      expect(v1.headers['content-disposition']).toBe(disposition(`${stem}.${format}`));
    }
    // The document echoes the same id.
    expect(JSON.parse((await s.get(`/api/v1/sessions/${colon}/export`)).text).session_id).toBe(colon);
  });

  it('underscore form keeps its underscore', async () => {
    const res = await s.get(`/api/v1/sessions/websocket_${UUID}/export?format=json`);
    expect(res.headers['content-disposition']).toBe(disposition(`pocketpaw-session-websocket_3f2b8c1e-7.json`));
  });

  it('a quote in the id cannot break the header', async () => {
    const res = await s.get(`/api/memory/session/export?id=${encodeURIComponent('websocket:say"hi"')}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(disposition('pocketpaw-session-websocket:say_hi_.json'));
  });
});
