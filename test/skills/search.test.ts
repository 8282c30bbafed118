import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFileServer, type FileServer } from './fixtures.js';

/** GET /api/skills/search (spec §3.11) against a fake index on this machine (setting skills_index_url). */
let s: TestServer;
let index: FileServer;
const ANSWER = { skills: [{ id: 'acme/tools/pdf', name: 'pdf', installs: 42, source: 'acme/tools' }], count: 1 };

beforeAll(async () => {
  index = await startFileServer();
  index.set('/api/search', { body: JSON.stringify(ANSWER), type: 'application/json' });
  s = await startTestServer({ config: { skills_index_url: `${index.url}/api/search` } });
});
afterAll(async () => {
  await s.close();
  await index.close();
});

describe('skills search', () => {
  it("passes q and limit to the index and returns its JSON as it is (default limit 30), in both families", async () => {
    for (const p of ['/api/skills/search', '/api/v1/skills/search']) {
      index.requests.length = 0;
      expect((await s.get(`${p}?q=pdf%20tools&limit=5`)).body).toEqual(ANSWER);
      expect((await s.get(`${p}?q=pdf`)).body).toEqual(ANSWER);
      expect(index.requests).toEqual(['/api/search?q=pdf+tools&limit=5', '/api/search?q=pdf&limit=30']);
    }
  });

  it('an empty query asks nothing; v1 checks limit (1–100), legacy clamps it', async () => {
    index.requests.length = 0;
    expect((await s.get('/api/skills/search')).body).toEqual({ skills: [], count: 0 });
    expect((await s.get('/api/v1/skills/search?q=%20%20')).body).toEqual({ skills: [], count: 0 });
    expect(index.requests).toEqual([]);
    expect((await s.get('/api/v1/skills/search?q=x&limit=0')).status).toBe(422);
    expect((await s.get('/api/v1/skills/search?q=x&limit=101')).status).toBe(422);
    expect((await s.get('/api/v1/skills/search?q=x&limit=abc')).status).toBe(422);
    await s.get('/api/skills/search?q=x&limit=500');
    expect(index.requests).toEqual(['/api/search?q=x&limit=100']);
  });

  it('upstream errors are {"skills":[],"count":0,"error"} with status 200', async () => {
    const at = `${index.url}/api/search`;
    index.set('/api/search', { status: 503, body: 'down' });
    expect(await s.get('/api/v1/skills/search?q=x').then((r) => [r.status, r.body])).toEqual([200, { skills: [], count: 0, error: `Skills index ${at} answered HTTP 503` }]);
    index.set('/api/search', { body: '<html>', type: 'text/html' });
    expect((await s.get('/api/skills/search?q=x')).body).toEqual({ skills: [], count: 0, error: `Skills index ${at} did not answer JSON` });
    index.set('/api/search', { body: '[1,2]', type: 'application/json' });
    expect((await s.get('/api/skills/search?q=x')).body).toEqual({ skills: [], count: 0, error: `Skills index ${at} did not answer a JSON object` });
    index.set('/api/search', { body: JSON.stringify(ANSWER), type: 'application/json' });

    // Nobody listening: a closed port.
    const gone = await startFileServer();
    await gone.close();
    expect((await s.request('/api/v1/settings', { method: 'PUT', json: { settings: { skills_index_url: `${gone.url}/search` } } })).status).toBe(200);
    try {
      const res = await s.get('/api/v1/skills/search?q=x');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ skills: [], count: 0 });
      expect(res.body.error).toMatch(new RegExp(`^Skills index ${gone.url}/search unreachable: `));
      await s.request('/api/v1/settings', { method: 'PUT', json: { settings: { skills_index_url: 'ftp://example.com/x' } } });
      expect((await s.get('/api/v1/skills/search?q=x')).body).toEqual({ skills: [], count: 0, error: 'skills_index_url must be an http(s) URL' });
    } finally {
      await s.request('/api/v1/settings', { method: 'PUT', json: { settings: { skills_index_url: at } } });
    }
  });

  it('skills_index_url: the default is skills.sh; changing it needs admin (it decides where requests go)', async () => {
    const fresh = await startTestServer();
    try {
      expect((await fresh.get('/api/v1/settings')).body.skills_index_url).toBe('https://skills.sh/api/search');
    } finally {
      await fresh.close();
    }
    const writer = await createKey(s, { name: 'settings writer', scopes: ['chat', 'settings:read', 'settings:write'] });
    const res = await s.remote('/api/v1/settings', { method: 'PUT', json: { settings: { skills_index_url: 'https://evil.example/search' } }, headers: bearer(writer.key) });
    expect([res.status, res.body]).toEqual([403, { detail: 'Changing skills_index_url needs an admin credential' }]);
    expect((await s.remote('/api/v1/skills/search?q=pdf', { headers: bearer(writer.key) })).body).toEqual(ANSWER);
  });
});
