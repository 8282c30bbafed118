import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { PNG } from './fixtures.js';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ config: { media_max_file_size_mb: 1 } });
});
afterAll(() => s.close());

const upload = (name: string, body: string | Buffer, contentType = 'application/octet-stream', headers: Record<string, string> = {}) =>
  s.request(`/api/v1/media?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });

describe('POST /api/v1/media', () => {
  it('stores the raw body under PocketPaw-style naming and answers its description', async () => {
    const r = await upload('holiday photo.png', PNG, 'image/png');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]+_[0-9a-f]{6}_holiday_photo\.png$/), name: 'holiday_photo.png', mime_type: 'image/png', size: PNG.length, path: path.join(s.home, 'media', r.body.id) });
    expect(fs.readFileSync(r.body.path)).toEqual(PNG);
  });

  it('takes any content type, and none', async () => {
    for (const type of ['text/plain', 'application/json', 'multipart/form-data; boundary=x', 'image/svg+xml']) {
      const r = await upload('a.txt', 'not json {', type);
      expect(r.status, type).toBe(200);
    }
    const bare = await s.request('/api/v1/media?name=n.txt', { method: 'POST', body: 'x' });
    expect(bare.status).toBe(200);
  });

  it('needs a name', async () => {
    const r = await s.request('/api/v1/media', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/name=/);
  });

  it('a body over the setting: 413 {detail} in plain words, nothing stored', async () => {
    const before = fs.readdirSync(path.join(s.home, 'media')).length;
    const r = await upload('big.bin', Buffer.alloc(1024 * 1024 + 1));
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ detail: 'big.bin is over 1 MB; the limit is 1 MB (setting media_max_file_size_mb).' });
    expect(fs.readdirSync(path.join(s.home, 'media')).length).toBe(before);
  });

  it('a huge declared body is refused at once, before it is sent', async () => {
    const started = Date.now();
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL('/api/v1/media?name=huge.iso', s.url);
      const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { 'content-length': String(5 * 1024 ** 3), 'content-type': 'application/octet-stream' } }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode!, body }));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024)); // a few bytes, then nothing more: the answer must not wait for the rest
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).detail).toMatch(/huge.iso is 5120 MB; the limit is 1 MB/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a chunked body is cut off as soon as it passes the limit', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const url = new URL('/api/v1/media?name=stream.bin', s.url);
      const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      });
      req.on('error', () => undefined);
      const chunk = Buffer.alloc(256 * 1024);
      for (let i = 0; i < 6; i++) req.write(chunk);
      setTimeout(() => reject(new Error('no answer')), 5000).unref();
    });
    expect(res).toBe(413);
  });

  it('other routes keep the 1 MB JSON limit and JSON parsing', async () => {
    const r = await s.request('/api/v1/sessions/x/title', { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } });
    expect(r.status).not.toBe(200);
  });
});

describe('GET /api/v1/media/{id}', () => {
  it('a raster image inline with its type, nosniff and a sandbox CSP', async () => {
    const { body: up } = await upload('p.png', PNG, 'image/png');
    const r = await s.get(`/api/v1/media/${up.id}`);
    expect(r.status).toBe(200);
    expect(r.raw).toEqual(PNG);
    expect(r.headers['content-type']).toBe('image/png');
    expect(r.headers['content-disposition']).toBe('inline; filename="p.png"');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toMatch(/^sandbox/);
  });

  it('HTML and SVG uploads are downloads, never documents of our origin', async () => {
    for (const [name, type, body] of [
      ['page.html', 'text/html', '<script>fetch("/api/v1/sessions")</script>'],
      ['logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
      ['fake.png', 'image/png', '<html><script>alert(1)</script></html>'],
    ]) {
      const { body: up } = await upload(name!, body!, type);
      expect(up.mime_type, name).not.toMatch(/^image\/(png|jpeg|gif|webp)$/);
      const r = await s.get(`/api/v1/media/${up.id}`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type'], name).toBe('application/octet-stream');
      expect(r.headers['content-disposition'], name).toMatch(/^attachment; filename="/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-security-policy']).toMatch(/^sandbox/);
    }
  });

  it('path-like ids never read outside the media folder', async () => {
    fs.writeFileSync(path.join(s.home, 'media', '..', 'outside.txt'), 'secret');
    for (const id of ['..%2Faccess_token', '..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', '..%5Caccess_token', 'access_token', '..', '.', 'x%00y', '18c_abcdef_..%2Foutside.txt', '..%2Foutside.txt']) {
      const r = await s.get(`/api/v1/media/${id}`);
      expect([400, 404], id).toContain(r.status);
      expect(r.text).not.toContain('secret');
      expect(r.text).not.toContain(s.token);
    }
    const dotdot = await s.get('/api/v1/media/../access_token');
    expect(dotdot.text).not.toContain(s.token);
  });

  it('unknown id: 404 {detail}', async () => {
    const r = await s.get('/api/v1/media/18c0000_abcdef_none.png');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ detail: 'No such file' });
  });
});

describe('other websites', () => {
  it("cannot upload or read files with the owner's ambient access (localhost, cookie)", async () => {
    const cross = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    const up = await s.request('/api/v1/media?name=x.html', { method: 'POST', body: '<script>alert(1)</script>', headers: { 'content-type': 'text/plain', ...cross } });
    expect([401, 403]).toContain(up.status);
    const { body: mine } = await upload('p.png', PNG, 'image/png');
    const read = await s.get(`/api/v1/media/${mine.id}`, { headers: cross });
    expect([401, 403]).toContain(read.status);
  });
});

describe('scopes', () => {
  it('upload needs chat, download needs sessions', async () => {
    const chat = await createKey(s, { name: 'c', scopes: ['chat'] });
    const sessions = await createKey(s, { name: 's', scopes: ['sessions'] });
    const up = await s.remote('/api/v1/media?name=a.txt', { method: 'POST', body: 'hi', headers: { ...bearer(chat.key), 'content-type': 'text/plain' } });
    expect(up.status).toBe(200);
    expect((await s.remote('/api/v1/media?name=a.txt', { method: 'POST', body: 'hi', headers: bearer(sessions.key) })).status).toBe(403);
    expect((await s.remote(`/api/v1/media/${up.body.id}`, { headers: bearer(chat.key) })).status).toBe(403);
    expect((await s.remote(`/api/v1/media/${up.body.id}`, { headers: bearer(sessions.key) })).status).toBe(200);
    expect((await s.remote(`/api/v1/media/${up.body.id}`)).status).toBe(401);
    // Nothing is read before the credential is checked.
    expect((await s.remote('/api/v1/media?name=a.txt', { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024) })).status).toBe(401);
  });
});
