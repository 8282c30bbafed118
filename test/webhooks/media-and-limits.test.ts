import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import type { HttpResult } from '../helpers/http.js';
import { setSettings, textReply } from '../tools/helpers.js';

// Spec §3.12: a webhook's media_urls go through url_extract's SSRF guard and the media store;
// and ours: a public door cannot start unbounded turns (in-flight cap per webhook).

const REPORT = 'build log: 3 tests failed\n';

let env: ChatTestEnv;
let files: http.Server;
let filesUrl: string;
let hits: string[] = [];
let secret: string;

beforeAll(async () => {
  // Ten turns at once must all reach the model for the cap test.
  env = await startChatServer('openai', { env: { POCKETPAW_MAX_CONCURRENT_CONVERSATIONS: '20' } });
  files = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/reports/build%20report.txt') return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(REPORT);
    if (req.url === '/big.bin') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(4096, 1));
    if (req.url === '/moved') return res.writeHead(302, { location: '/reports/build%20report.txt' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const res = await env.s.post('/api/webhooks/add', { name: 'media-hook' });
  secret = res.body.webhook.secret;
});
afterAll(async () => {
  await env.close();
  await new Promise((r) => files.close(r));
});

function call(name: string, key: string, body: unknown, query = ''): Promise<HttpResult> {
  return env.s.remote(`/webhook/inbound/${name}${query}`, { method: 'POST', json: body, headers: { 'x-webhook-secret': key } });
}

function mediaFiles(): string[] {
  const dir = path.join(env.s.home, 'media');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

async function sessionIds(): Promise<string[]> {
  return (await env.s.get('/api/v1/sessions?limit=500')).body.sessions.map((x: { id: string }) => x.id);
}

describe('media_urls', () => {
  it('a URL on this machine is refused by the SSRF guard: 400 naming it, never fetched, nothing stored or run', async () => {
    env.fake.reset();
    hits = [];
    const before = await sessionIds();
    for (const url of [`${filesUrl}/reports/build%20report.txt`, `http://localhost:${new URL(filesUrl).port}/big.bin`, 'http://169.254.169.254/latest/meta-data', 'file:///etc/passwd']) {
      const res = await call('media-hook', secret, { content: 'see attached', media_urls: [url] });
      expect(res.status, res.text).toBe(400);
      expect(res.body.detail).toMatch(/^Cannot fetch media URL .+: Refused: /);
    }
    const setting = await call('media-hook', secret, { content: 'x', media_urls: [`${filesUrl}/big.bin`] });
    expect(setting.body.detail).toContain('web_fetch_allow_private');
    expect(hits).toEqual([]);
    expect(mediaFiles()).toEqual([]);
    expect(env.fake.requests).toHaveLength(0);
    expect(await sessionIds()).toEqual(before);
  });

  it('with web_fetch_allow_private on: the file is downloaded into the media folder and [Attached: …] is in the stored message', async () => {
    await setSettings(env, { web_fetch_allow_private: true });
    try {
      env.fake.reset();
      env.fake.enqueue(textReply('Three tests failed.'));
      const res = await call('media-hook', secret, { content: 'What does the log say?', media_urls: [`${filesUrl}/moved`] }, '?wait=true');
      expect(res.body).toMatchObject({ status: 'ok', response: 'Three tests failed.' });
      // Followed the redirect, and fetched without any credential of the owner's (a forwarding header is sent).
      expect(hits).toContain('/reports/build%20report.txt');
      const stored = mediaFiles();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatch(/_build_report\.txt$/);
      expect(fs.readFileSync(path.join(env.s.home, 'media', stored[0]!), 'utf8')).toBe(REPORT);
      const history = (await env.s.get(`/api/v1/sessions/webhook_${res.body.request_id}/history`)).body;
      expect(history[0].content).toBe('What does the log say?\n[Attached: build_report.txt]');
      expect(history[0].attachments).toEqual([expect.objectContaining({ name: 'build_report.txt', size: REPORT.length })]);
      const [req] = await env.fake.waitForRequests(1);
      expect(JSON.stringify(req!.body.messages)).toContain('[Attached: build_report.txt]');
    } finally {
      await setSettings(env, { web_fetch_allow_private: false });
    }
  });

  it('a file over media_max_file_size_mb is refused and nothing is kept, also the files before it', async () => {
    await setSettings(env, { web_fetch_allow_private: true, media_max_file_size_mb: 0.002 });
    try {
      env.fake.reset();
      const before = mediaFiles();
      const res = await call('media-hook', secret, { content: 'two files', media_urls: [`${filesUrl}/reports/build%20report.txt`, `${filesUrl}/big.bin`] });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/^Cannot fetch media URL .*\/big\.bin: big\.bin is .*the limit is 0\.002 MB/);
      expect(mediaFiles()).toEqual(before);
      const missing = await call('media-hook', secret, { content: 'x', media_urls: [`${filesUrl}/nothing.png`] });
      expect(missing.body.detail).toMatch(/HTTP 404/);
      expect(env.fake.requests).toHaveLength(0);
    } finally {
      await setSettings(env, { web_fetch_allow_private: false, media_max_file_size_mb: 20 });
    }
  });
});

describe('in-flight cap', () => {
  it('at most 10 turns of one webhook at once: the 11th gets 429 (other webhooks unaffected); freed when they end', async () => {
    const other = (await env.s.post('/api/webhooks/add', { name: 'other-hook' })).body.webhook.secret as string;
    const floodSecret = (await env.s.post('/api/webhooks/add', { name: 'flood' })).body.webhook.secret as string;
    env.fake.reset();
    // Slow enough that none of the ten ends before the eleventh arrives, even on a busy machine.
    env.fake.setDefault({ headersDelayMs: 1500, steps: [{ text: 'slow answer' }] });
    const flood = await Promise.all(Array.from({ length: 10 }, (_, i) => call('flood', floodSecret, { content: `event ${i}` })));
    expect(flood.map((r) => r.body.status)).toEqual(Array(10).fill('accepted'));
    const accepted = flood.map((r) => r.body.request_id as string);
    const refused = await call('flood', floodSecret, { content: 'one too many' });
    expect([refused.status, refused.body]).toEqual([429, { detail: 'Too many requests in flight for this webhook' }]);
    // The cap is per webhook, and a refused caller's wrong secret still gets 403, not 429.
    expect((await call('other-hook', other, { content: 'unrelated' })).body.status).toBe('accepted');
    expect((await call('flood', 'wrong', { content: 'x' })).status).toBe(403);
    // Once the ten are answered, the webhook takes calls again.
    const deadline = Date.now() + 10_000;
    let done = 0;
    while (Date.now() < deadline) {
      const sessions = (await env.s.get('/api/v1/sessions?limit=500')).body.sessions as Array<{ id: string; message_count: number }>;
      done = accepted.filter((id) => sessions.some((x) => x.id === `webhook_${id}` && x.message_count === 2)).length;
      if (done === 10) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(done).toBe(10);
    // The count is released just after the answer is stored; the next call is accepted.
    let again: HttpResult | undefined;
    for (let i = 0; i < 40; i++) {
      again = await call('flood', floodSecret, { content: 'after the flood' });
      if (again.status !== 429) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(again!.body.status).toBe('accepted');
    env.fake.setDefault(textReply('ok'));
  });
});
