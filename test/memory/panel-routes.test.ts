import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe('memory routes the dashboard panel adds (ours, spec §3.4 note)', () => {
  it('saves a memory for the owner, once; searches with ?q=; refuses an empty one', async () => {
    const first = await s.post('/api/v1/memory/long_term', { content: '  Sister’s birthday is 12 May #family ' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ content: 'Sister’s birthday is 12 May #family', tags: ['family'], added: true });
    const again = await s.post('/api/v1/memory/long_term', { content: 'Sister’s birthday is 12 May #family' });
    expect(again.body).toMatchObject({ id: first.body.id, added: false });
    await s.post('/api/v1/memory/long_term', { content: 'Prefers tea over coffee', tags: ['drinks'] });

    const all = await s.get('/api/v1/memory/long_term');
    expect(all.body.map((m: { content: string }) => m.content)).toEqual(['Sister’s birthday is 12 May #family', 'Prefers tea over coffee']);
    for (const path of ['/api/v1/memory/long_term?q=birthday', '/api/memory/long_term?q=birthday']) {
      const hits = await s.get(path);
      expect(hits.status).toBe(200);
      expect(hits.body.map((m: { id: string }) => m.id)).toEqual([first.body.id]);
    }
    expect((await s.get('/api/v1/memory/long_term?q=zebra')).body).toEqual([]);
    // A blank query lists, as without one.
    expect((await s.get('/api/v1/memory/long_term?q=%20')).body).toHaveLength(2);

    for (const body of [{ content: '   ' }, {}, { content: 'x', tags: 'not a list' }]) {
      expect((await s.post('/api/v1/memory/long_term', body)).status).toBe(422);
    }
  });
});
