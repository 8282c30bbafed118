import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';

let s: TestServer;
const ID = 'websocket_1c9f2b7e-0000-4000-8000-000000000001';

beforeAll(async () => {
  s = await startTestServer();
  s.importDir(writePocketPawDir({
    [ID]: [
      { role: 'user', content: 'How do I deploy with Docker?' },
      { role: 'assistant', content: 'Write a Dockerfile first.' },
    ],
    websocket_api_a1b2c3d4e5f6: [{ role: 'user', content: 'second session' }],
  }));
});
afterAll(() => s.close());

async function titleOf(id: string): Promise<unknown> {
  const list = await s.get('/api/sessions?limit=100');
  return list.body.sessions.find((x: { id: string }) => x.id === id);
}

describe('POST /api/sessions/{id}/title (the seed page)', () => {
  it('renames with a Bearer token exactly as the reference example', async () => {
    const res = await s.remote(`/api/sessions/${ID}/title`, {
      method: 'POST', json: { title: 'Docker deployment guide' }, headers: { authorization: `Bearer ${s.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(await titleOf(ID)).toMatchObject({ title: 'Docker deployment guide', user_title: 'Docker deployment guide' });
  });

  it('answers 404 {"detail":"Session not found"} for an unknown session', async () => {
    const res = await s.post('/api/sessions/websocket_nope/title', { title: 'x' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Session not found' });
  });

  it('accepts the colon form of the id', async () => {
    const res = await s.post('/api/sessions/websocket:api:a1b2c3d4e5f6/title', { title: 'Colon form' });
    expect(res.body).toEqual({ status: 'ok' });
    expect(await titleOf('websocket_api_a1b2c3d4e5f6')).toMatchObject({ title: 'Colon form' });
  });

  it('stores the trimmed title on the legacy route', async () => {
    await s.post(`/api/sessions/${ID}/title`, { title: '  Padded  ' });
    expect(await titleOf(ID)).toMatchObject({ title: 'Padded', user_title: 'Padded' });
  });

  it('stores the title as given on /api/v1', async () => {
    const res = await s.post(`/api/v1/sessions/${ID}/title`, { title: '  Spaced  ' });
    expect(res.body).toEqual({ status: 'ok' });
    expect(await titleOf(ID)).toMatchObject({ title: '  Spaced  ' });
  });
});
