import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import type { RecordedRequest } from '../helpers/fake-llm/index.js';
import type { HttpResult } from '../helpers/http.js';
import { auditLines, eventually, offeredTools, setSettings, textReply, toolCallReply, toolResults } from '../tools/helpers.js';

// Spec §3.12: POST /webhook/inbound/{name}, end to end through the real server and a fake model.
// Every call comes from 127.0.0.2 without any credential of ours: the door is public and the
// webhook's own secret is all that opens it.

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let env: ChatTestEnv;
let secret: string;
const NAME = 'ci-hook';

beforeAll(async () => {
  env = await startChatServer('openai');
  secret = await addWebhook(NAME);
});
afterAll(() => env.close());

async function addWebhook(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await env.s.post('/api/v1/webhooks/add', { name, ...extra });
  expect(res.status, res.text).toBe(200);
  return res.body.webhook.secret as string;
}

const sign = (key: string, body: string) => `sha256=${crypto.createHmac('sha256', key).update(body).digest('hex')}`;

/** POSTs `body` (an object is sent as JSON text) to the webhook, as an outside caller. */
function call(name: string, body: unknown, headers: Record<string, string>, query = ''): Promise<HttpResult> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return env.s.remote(`/webhook/inbound/${name}${query}`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } });
}

/** The stored messages of a session, with metadata (the JSON export). */
async function storedMessages(sessionId: string): Promise<Array<{ role: string; content: string; metadata: Record<string, unknown> }>> {
  const res = await env.s.get(`/api/v1/sessions/${sessionId}/export?format=json`);
  if (res.status !== 200) return [];
  return JSON.parse(res.text).messages;
}

async function waitForAnswer(sessionId: string): Promise<Array<{ role: string; content: string; metadata: Record<string, unknown> }>> {
  let messages: Awaited<ReturnType<typeof storedMessages>> = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    messages = await storedMessages(sessionId);
    if (messages.some((m) => m.role === 'assistant')) return messages;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no answer stored in ${sessionId}: ${JSON.stringify(messages)}`);
}

/** The text of the last user message the model was sent. */
function lastUserText(req: RecordedRequest): string {
  const users = (req.body.messages as Array<{ role: string; content: unknown }>).filter((m) => m.role === 'user');
  const c = users.at(-1)!.content;
  return typeof c === 'string' ? c : (c as Array<{ type: string; text?: string }>).map((p) => p.text ?? '').join('');
}

async function sessionIds(): Promise<string[]> {
  return (await env.s.get('/api/v1/sessions?limit=500')).body.sessions.map((x: { id: string }) => x.id);
}

describe('authenticated calls', () => {
  it('X-Webhook-Secret: accepted at once; the turn runs in its own session webhook_<request_id>, stored with the webhook metadata', async () => {
    env.fake.reset();
    env.fake.enqueue(textReply('Noted, looking at the build.'));
    const res = await call(NAME, { content: 'Build 17 failed on main', sender: 'ci-bot', metadata: { run: 17, webhook_name: 'spoofed', source: 'spoofed' } }, { 'x-webhook-secret': secret });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', request_id: expect.stringMatching(UUID4) });
    const sessionId = `webhook_${res.body.request_id}`;
    const messages = await waitForAnswer(sessionId);
    expect(messages.map((m) => [m.role, m.content])).toEqual([['user', 'Build 17 failed on main'], ['assistant', 'Noted, looking at the build.']]);
    // The caller's metadata is kept, but cannot rename the webhook or the source.
    expect(messages[0]!.metadata).toEqual({ webhook_name: NAME, source: 'webhook', run: 17 });
    const listed = (await env.s.get('/api/v1/sessions?limit=500')).body.sessions.find((x: { id: string }) => x.id === sessionId);
    expect(listed).toMatchObject({ id: sessionId, channel: 'webhook', message_count: 2 });
    const [req] = await env.fake.waitForRequests(1);
    expect(lastUserText(req!)).toContain('Build 17 failed on main');
  });

  it('X-Webhook-Signature over the raw body, ?wait=true: the answer is the agent\'s reply; no content → the whole body as Python\'s json.dumps writes it', async () => {
    env.fake.reset();
    env.fake.enqueue(textReply('The push to paw looks fine.'));
    const body = '{"event":"push","repo":"paw","count":2,"tags":["a","b"],"ok":true,"by":"Zoë"}';
    const res = await call(NAME, body, { 'x-webhook-signature': sign(secret, body) }, '?wait=true');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ status: 'ok', request_id: expect.stringMatching(UUID4), response: 'The push to paw looks fine.' });
    const [req] = await env.fake.waitForRequests(1);
    const pythonDumps = '{"event": "push", "repo": "paw", "count": 2, "tags": ["a", "b"], "ok": true, "by": "Zo\\u00eb"}';
    expect(lastUserText(req!)).toContain(pythonDumps);
    const stored = await waitForAnswer(`webhook_${res.body.request_id}`);
    expect(stored[0]!.content).toBe(pythonDumps);
  });

  it('?wait=true gives the model\'s answer only: a slash command runs without the model and answers nothing', async () => {
    env.fake.reset();
    const res = await call(NAME, { content: '/help' }, { 'x-webhook-secret': secret }, '?wait=1');
    expect(res.body).toEqual({ status: 'ok', request_id: expect.stringMatching(UUID4), response: '' });
    expect(env.fake.requests).toHaveLength(0);
  });

  it('?wait=true when the model fails: the caller is told why instead of an empty answer', async () => {
    env.fake.reset();
    env.fake.enqueue({ status: 500, errorMessage: 'upstream exploded' });
    const res = await call(NAME, { content: 'hello?' }, { 'x-webhook-secret': secret }, '?wait=true');
    expect(res.body.status).toBe('ok');
    expect(res.body.response).toMatch(/upstream exploded|500/);
  });

  it('timeout: after sync_timeout (1 s) the caller gets {status:"timeout"}; the turn goes on and its answer is stored', async () => {
    const slowSecret = await addWebhook('slow-hook', { sync_timeout: 1 });
    env.fake.reset();
    env.fake.enqueue({ headersDelayMs: 2500, steps: [{ text: 'late but complete' }] });
    const started = Date.now();
    const res = await call('slow-hook', { content: 'take your time' }, { 'x-webhook-secret': slowSecret }, '?wait=true');
    const waited = Date.now() - started;
    expect(res.body).toEqual({ status: 'timeout', request_id: expect.stringMatching(UUID4) });
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2400);
    const stored = await waitForAnswer(`webhook_${res.body.request_id}`);
    expect(stored.at(-1)).toMatchObject({ role: 'assistant', content: 'late but complete' });
  });
});

describe('refused calls', () => {
  it('wrong secret, no credential, a signature over another body, the secret as signature: 403, the model never called, audited without the secret', async () => {
    env.fake.reset();
    const before = await sessionIds();
    const body = JSON.stringify({ content: 'run the deploy' });
    const attempts: Array<Record<string, string>> = [
      { 'x-webhook-secret': `${secret}x` },
      { 'x-webhook-secret': secret.slice(0, -1) },
      {},
      { 'x-webhook-secret': '' },
      { 'x-webhook-signature': sign(secret, `${body} `) },
      { 'x-webhook-signature': sign('another-secret', body) },
      { 'x-webhook-signature': sign(secret, body).replace('sha256=', '') },
      { 'x-webhook-signature': `sha256=${secret}` },
      { authorization: `Bearer ${env.s.token}` },
    ];
    for (const headers of attempts) {
      const res = await call(NAME, body, headers);
      expect([headers, res.status, res.body]).toEqual([headers, 403, { detail: 'Invalid webhook secret or signature' }]);
    }
    // One good call afterwards: the only model request is its own.
    env.fake.enqueue(textReply('deploying'));
    const ok = await call(NAME, body, { 'x-webhook-signature': sign(secret, body) }, '?wait=true');
    expect(ok.body.response).toBe('deploying');
    expect(env.fake.requests).toHaveLength(1);
    expect((await sessionIds()).filter((id) => !before.includes(id))).toEqual([`webhook_${ok.body.request_id}`]);
    const refusals = auditLines(env.s.home).filter((e) => e.action === 'webhook_auth_failed' && e.target === NAME);
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals[0]).toMatchObject({ severity: 'warning', status: 'failure', actor: 'webhook', context: { ip: '127.0.0.2' } });
    // A flood does not flood the log: one line per webhook per window, the rest counted into the next.
    expect(refusals).toHaveLength(1);
    const audit = fs.readFileSync(path.join(env.s.home, 'audit.jsonl'), 'utf8');
    expect(audit).not.toContain(secret);
    expect(audit).not.toContain(secret.slice(0, -1));
  });

  it('auth comes before parsing: bad JSON with a good secret is 400, with a bad secret 403', async () => {
    env.fake.reset();
    for (const bad of ['{"content": ', 'not json', '']) {
      const good = await call(NAME, bad, { 'x-webhook-secret': secret });
      expect([bad, good.status, good.body]).toEqual([bad, 400, { detail: 'Invalid JSON body' }]);
      const wrong = await call(NAME, bad, { 'x-webhook-secret': 'wrong' });
      expect([bad, wrong.status, wrong.body]).toEqual([bad, 403, { detail: 'Invalid webhook secret or signature' }]);
    }
    const signedBad = await call(NAME, 'nope{', { 'x-webhook-signature': sign(secret, 'nope{') });
    expect([signedBad.status, signedBad.body]).toEqual([400, { detail: 'Invalid JSON body' }]);
    expect(env.fake.requests).toHaveLength(0);
  });

  it('a body of the wrong shape: 400 naming the field, nothing run', async () => {
    env.fake.reset();
    const before = await sessionIds();
    const cases: Array<[unknown, string]> = [
      [['a list'], 'The webhook body must be a JSON object, e.g. {"content": "…"}'],
      ['"just a string"', 'The webhook body must be a JSON object, e.g. {"content": "…"}'],
      [{ content: 42 }, '"content" must be a string'],
      [{ content: 'x', sender: ['a'] }, '"sender" must be a string'],
      [{ content: 'x', metadata: 'meta' }, '"metadata" must be a JSON object'],
      [{ content: 'x', media_urls: 'http://example.com/a.png' }, '"media_urls" must be a list of URL strings'],
      [{ content: 'x', media_urls: [1] }, '"media_urls" must be a list of URL strings'],
      [{ content: 'x', media_urls: Array.from({ length: 11 }, (_, i) => `http://example.com/${i}.png`) }, '"media_urls" may name at most 10 files'],
      [{ content: '   ' }, '"content" is empty: send the text in "content", or leave "content" out to send the whole body'],
    ];
    for (const [body, detail] of cases) {
      const res = await call(NAME, body, { 'x-webhook-secret': secret });
      expect([body, res.status, res.body]).toEqual([body, 400, { detail }]);
    }
    expect(env.fake.requests).toHaveLength(0);
    expect(await sessionIds()).toEqual(before);
  });

  it('an unknown name is 404, whatever secret comes with it; a wrong ?wait is 422', async () => {
    const res = await call('no-such-hook', { content: 'x' }, { 'x-webhook-secret': secret });
    expect([res.status, res.body]).toEqual([404, { detail: "Webhook 'no-such-hook' not found" }]);
    const wait = await call(NAME, { content: 'x' }, { 'x-webhook-secret': secret }, '?wait=maybe');
    expect(wait.status).toBe(422);
    expect(wait.body.detail[0]).toMatchObject({ loc: ['query', 'wait'] });
  });

  it('a body over 1 MB is refused before anything runs', async () => {
    env.fake.reset();
    const big = JSON.stringify({ content: 'x'.repeat(1024 * 1024) });
    const res = await call(NAME, big, { 'x-webhook-secret': secret });
    expect(res.status).toBe(413);
    expect(env.fake.requests).toHaveLength(0);
  });
});

describe('the turn is a guest\'s, not the owner\'s', () => {
  it('webhook_tool_profile (minimal by default) applies though the owner has full: shell is not offered, and refused when called', async () => {
    env.fake.reset();
    env.fake.enqueue(toolCallReply('shell', { command: 'touch webhook-ran.txt' }), textReply('No shell for webhooks.'));
    const res = await call(NAME, { content: 'run a command' }, { 'x-webhook-secret': secret }, '?wait=true');
    expect(res.body.response).toBe('No shell for webhooks.');
    const reqs = await env.fake.waitForRequests(2);
    expect(offeredTools(reqs[0]!)).not.toContain('shell');
    const [result] = toolResults(reqs[1]!);
    expect(result).toMatchObject({ name: 'shell' });
    expect(result!.content).toContain('Tool "shell" is not allowed');
    expect(fs.existsSync(path.join(`${env.s.home}-workspace`, 'webhook-ran.txt'))).toBe(false);
  });

  it('the setting decides: with webhook_tool_profile coding the shell is offered', async () => {
    await setSettings(env, { webhook_tool_profile: 'coding' });
    try {
      env.fake.reset();
      env.fake.enqueue(textReply('ok'));
      await call(NAME, { content: 'hello' }, { 'x-webhook-secret': secret }, '?wait=true');
      const [req] = await env.fake.waitForRequests(1);
      expect(offeredTools(req!)).toContain('shell');
    } finally {
      await setSettings(env, { webhook_tool_profile: 'minimal' });
    }
  });
});
