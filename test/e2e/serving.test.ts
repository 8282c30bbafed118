import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDashboard, WEB_DIST } from '../../src/server/dashboard.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

let dash: TestServer;
let api: TestServer;

beforeAll(async () => {
  [dash, api] = await Promise.all([startTestServer({ mode: 'dashboard' }), startTestServer({ mode: 'api' })]);
});

afterAll(async () => {
  await Promise.all([dash?.close(), api?.close()]);
});

function assetPaths(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
}

describe('serving the built dashboard', () => {
  it('/ is the app page: public, never cached, under the CSP, loading only its own hashed assets', async () => {
    const page = await dash.remote('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toBe(fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8'));
    // No inline script (the CSP forbids it) and nothing from elsewhere.
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const assets = assetPaths(page.text);
    expect(assets.some((a) => /\/static\/assets\/index-[\w-]+\.js$/.test(a))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
  });

  it('hashed assets are cached for a year and sent pre-compressed to browsers that accept it', async () => {
    const page = await dash.get('/');
    // A built (hashed) chunk; /static/theme.js, the unhashed pre-paint script, is cached for an hour.
    const js = assetPaths(page.text).find((a) => a.startsWith('/static/assets/') && a.endsWith('.js'))!;
    const plain = await dash.remote(js);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.raw.equals(fs.readFileSync(path.join(WEB_DIST, js.replace('/static/', ''))))).toBe(true);
    const br = await dash.remote(js, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.raw.length).toBeLessThan(plain.raw.length / 2);
    const gz = await dash.remote(js, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    // Unhashed files (the icon) get a short cache; unknown ones a 404.
    const icon = await dash.remote('/static/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
    expect((await dash.remote('/static/assets/nope.js')).status).toBe(404);
    // Normalised to /package.json: no such route, so no credential gets past it (deny by default).
    expect([401, 404]).toContain((await dash.remote('/static/../package.json')).status);
    expect((await dash.remote('/static/../package.json')).text).not.toContain('"dependencies"');
  });

  it('API-only mode (serve) serves neither the page nor its assets', async () => {
    const page = await dash.get('/');
    const js = assetPaths(page.text).find((a) => a.endsWith('.js'))!;
    expect((await api.get('/')).status).toBe(404);
    expect((await api.get(js)).status).toBe(404);
    expect((await api.get('/api/sessions')).status).toBe(200);
  });

  it('without a build, / says how to make one', async () => {
    const app = Fastify();
    await registerDashboard(app, path.join(tempDir(), 'no-dist'));
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('npm run build:web');
    await app.close();
  });
});
