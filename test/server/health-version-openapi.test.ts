import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let api: TestServer;
let dash: TestServer;

beforeAll(async () => {
  api = await startTestServer({ mode: 'api' });
  dash = await startTestServer({ mode: 'dashboard' });
});
afterAll(async () => {
  await api.close();
  await dash.close();
});

describe('health (spec §3.6)', () => {
  it('is healthy on a fresh data dir, with the legacy and v1 shapes', async () => {
    // The database check runs in a worker after listen: wait for its first result (test/health covers the wait itself).
    await until(async () => ((await api.get('/api/health')).body.check_count === 4 ? true : undefined), 30_000);
    const legacy = await api.get('/api/health');
    expect(legacy.body).toMatchObject({ status: 'healthy', check_count: 4, issues: [] });
    expect(legacy.body.last_check).toMatch(/\+00:00$/);
    const v1 = await api.get('/api/v1/health');
    expect(v1.body).toEqual({ status: 'healthy', check_count: 4, issues: [], error: null });
  });

  it('reports a token file readable by others as critical, with a fix hint', async () => {
    fs.chmodSync(path.join(api.home, 'access_token'), 0o644);
    try {
      const res = await api.post('/api/health/check');
      expect(res.body.status).toBe('unhealthy');
      const issue = res.body.issues.find((c: { check_id: string }) => c.check_id === 'token_permissions');
      expect(issue).toMatchObject({ status: 'critical', category: 'security' });
      expect(issue.fix_hint).toContain('chmod 600');
      expect(Object.keys(issue).sort()).toEqual(['category', 'check_id', 'details', 'fix_hint', 'message', 'name', 'status', 'timestamp']);
    } finally {
      fs.chmodSync(path.join(api.home, 'access_token'), 0o600);
    }
    expect((await api.post('/api/v1/health/check')).body.status).toBe('healthy');
  });

  it('reports a data dir open to other users as a warning', async () => {
    fs.chmodSync(api.home, 0o755);
    try {
      const res = await api.post('/api/health/check');
      expect(res.body.status).toBe('degraded');
      expect(res.body.issues.map((c: { check_id: string }) => c.check_id)).toEqual(['data_dir_writable']);
    } finally {
      fs.chmodSync(api.home, 0o700);
    }
  });

  it('error log starts empty and can be cleared', async () => {
    expect((await api.get('/api/health/errors')).body).toEqual([]);
    expect((await api.get('/api/v1/health/errors?limit=0')).status).toBe(422);
    expect((await api.del('/api/health/errors')).body).toEqual({ cleared: true });
  });

  it('is a public probe from any address, but check details need a credential', async () => {
    fs.chmodSync(path.join(api.home, 'access_token'), 0o644);
    try {
      await api.post('/api/health/check');
      const anon = await api.remote('/api/v1/health');
      expect(anon.status).toBe(200);
      expect(anon.body.status).toBe('unhealthy');
      expect(anon.body.issues).toEqual([{ check_id: 'token_permissions', name: expect.any(String), category: 'security', status: 'critical' }]);
      const owner = await api.remote('/api/health', { headers: { authorization: `Bearer ${api.token}` } });
      expect(owner.body.issues[0].fix_hint).toContain('chmod 600');
      // Running the checks and reading the error log are not public.
      expect((await api.remote('/api/health/check', { method: 'POST' })).status).toBe(401);
      expect((await api.remote('/api/v1/health/errors')).status).toBe(401);
    } finally {
      fs.chmodSync(path.join(api.home, 'access_token'), 0o600);
      await api.post('/api/health/check');
    }
  });
});

describe('version', () => {
  it('legacy and v1 shapes', async () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    expect((await api.get('/api/version')).body).toEqual({ current: pkg.version, latest: pkg.version, update_available: false });
    expect((await api.get('/api/v1/version')).body).toEqual({ version: pkg.version, python: `Node.js ${process.version}`, agent_backend: 'claude_agent_sdk' });
  });
});

describe('OpenAPI and modes', () => {
  it('serves an OpenAPI document generated from the route schemas, without credentials', async () => {
    const res = await api.remote('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const rename = res.body.paths['/api/v1/sessions/{id}/title'].post;
    expect(rename.requestBody.content['application/json'].schema.properties.title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    const list = res.body.paths['/api/v1/sessions'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'before']));
  });

  it('serves the docs UI without credentials', async () => {
    const res = await api.remote('/api/v1/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });

  it('dashboard mode serves the page at /; API mode does not', async () => {
    const page = await dash.remote('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await api.get('/')).status).toBe(404);
    // Both modes serve every API route (spec §11.2).
    expect((await dash.get('/api/v1/sessions')).status).toBe(200);
  });
});
