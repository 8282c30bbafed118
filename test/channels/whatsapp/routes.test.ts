import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildWhatsAppAdapter, type WhatsAppAdapter } from '../../../src/channels/whatsapp/adapter.js';
import { registerWhatsAppRoutes } from '../../../src/channels/whatsapp/routes.js';
import type { InboundMessage } from '../../../src/channels/types.js';
import { settingsSchema, type Settings } from '../../../src/config/settings.js';
import { ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, startFakeGraph, VERIFY_TOKEN, type FakeGraph } from './fake-graph.js';
import { postWebhook, sign, textPayload } from './webhook-client.js';

/**
 * The webhook doors on their own Fastify instance, feeding a real adapter that talks to the
 * fake Graph API. Meta is the only caller that knows the app secret and the verify token;
 * everyone else is an attacker, and must not get a message to the agent.
 */
let graph: FakeGraph;
let app: FastifyInstance;
let url: string;
let adapter: WhatsAppAdapter;
let settings: Settings;
let handedOver: number;
let inbox: InboundMessage[];
let waiters: Array<(m: InboundMessage) => void>;

function configure(overrides: Record<string, unknown> = {}) {
  settings = settingsSchema.parse({
    whatsapp_mode: 'business', whatsapp_access_token: ACCESS_TOKEN, whatsapp_phone_number_id: PHONE_NUMBER_ID,
    whatsapp_verify_token: VERIFY_TOKEN, whatsapp_app_secret: APP_SECRET, whatsapp_api_base_url: graph.baseUrl, ...overrides,
  });
}

const nextMessage = () => new Promise<InboundMessage>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no inbound message')), 5_000);
  waiters.push((m) => {
    clearTimeout(timer);
    resolve(m);
  });
});

beforeAll(async () => {
  graph = await startFakeGraph();
  configure();
  adapter = buildWhatsAppAdapter({ settings, maxFileBytes: 1024 * 1024, log: () => {} });
  app = Fastify();
  registerWhatsAppRoutes(app, {
    settings: () => settings,
    receive: (payload) => {
      handedOver += 1;
      return adapter.receive(payload);
    },
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await adapter.stop();
  await app.close();
  await graph.close();
});

beforeEach(async () => {
  configure();
  handedOver = 0;
  inbox = [];
  waiters = [];
  await adapter.stop();
  await adapter.start((m) => {
    inbox.push(m);
    waiters.shift()?.(m);
  });
});

const verify = (query: Record<string, string>) => fetch(`${url}/webhook/whatsapp?${new URLSearchParams(query)}`);

describe('GET /webhook/whatsapp (Meta verifies the webhook)', () => {
  it('echoes the challenge for the right verify token, as text', async () => {
    const res = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
  });

  it('forbids a wrong token, a prefix of it, a missing one, or another mode', async () => {
    for (const q of <Array<Record<string, string>>>[
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': 'x' },
      { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN.slice(0, -1), 'hub.challenge': 'x' },
      { 'hub.mode': 'subscribe', 'hub.challenge': 'x' },
      { 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': 'x' },
    ]) {
      const res = await verify(q);
      expect(res.status).toBe(403);
      expect(await res.text()).toBe('Forbidden');
    }
  });

  it('is not configured without a verify token (an empty token never matches)', async () => {
    configure({ whatsapp_verify_token: '' });
    const res = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': 'x' });
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('Not configured');
  });
});

describe('POST /webhook/whatsapp (Meta delivers messages)', () => {
  it('hands a correctly signed payload to the adapter and answers ok at once', async () => {
    const got = nextMessage();
    const res = await postWebhook(url, textPayload('15550123', 'signed hello'), { secret: APP_SECRET });
    expect(res).toEqual({ status: 200, text: '{"status":"ok"}' });
    expect((await got).text).toBe('signed hello');
  });

  it('refuses a forged, absent or wrongly keyed signature, and nothing reaches the adapter', async () => {
    const payload = textPayload('15550123', 'forged');
    const body = JSON.stringify(payload);
    for (const signature of [null, '', 'sha256=', `sha256=${'0'.repeat(64)}`, sign(body, 'not-the-secret'), sign(`${body} `, APP_SECRET), sign(body, APP_SECRET).slice(0, -2)]) {
      const res = await postWebhook(url, payload, { secret: APP_SECRET, signature });
      expect(res).toEqual({ status: 403, text: '{"detail":"Invalid signature"}' });
    }
    expect(handedOver).toBe(0);
    // The same door still works for Meta, and only Meta's message arrives.
    const got = nextMessage();
    await postWebhook(url, textPayload('15550123', 'real'), { secret: APP_SECRET });
    expect((await got).text).toBe('real');
    expect(inbox.map((m) => m.text)).toEqual(['real']);
  });

  it('checks the signature before parsing: bad JSON with a bad signature is 403, not 400', async () => {
    const res = await postWebhook(url, null, { secret: APP_SECRET, raw: '{"entry": [not json', signature: 'sha256=deadbeef' });
    expect(res).toEqual({ status: 403, text: '{"detail":"Invalid signature"}' });
    // Signed garbage is Meta's (or the secret leaked): a 400, still nothing handed over.
    const signed = await postWebhook(url, null, { secret: APP_SECRET, raw: '{"entry": [not json' });
    expect(signed.status).toBe(400);
    expect(handedOver).toBe(0);
  });

  it('verifies the exact bytes, whatever the content type says', async () => {
    const body = JSON.stringify(textPayload('15550123', 'as text/plain'));
    const got = nextMessage();
    const res = await fetch(`${url}/webhook/whatsapp`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-hub-signature-256': sign(body, APP_SECRET) }, body });
    expect(res.status).toBe(200);
    expect((await got).text).toBe('as text/plain');
  });

  it('fails closed without an app secret, even for a body "signed" with the empty key', async () => {
    configure({ whatsapp_app_secret: '' });
    const res = await postWebhook(url, textPayload('15550123', 'hi'), { secret: '' });
    expect(res.status).toBe(403);
    expect(handedOver).toBe(0);
  });

  it('refuses a body over 1 MB before verifying anything', async () => {
    const raw = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const res = await postWebhook(url, null, { secret: APP_SECRET, raw });
    expect(res.status).toBe(413);
    expect(handedOver).toBe(0);
  });

  it('says "not configured" when WhatsApp is not running', async () => {
    await adapter.stop();
    const res = await postWebhook(url, textPayload('15550123', 'anyone?'), { secret: APP_SECRET });
    expect(res).toEqual({ status: 200, text: '{"status":"not configured"}' });
  });
});

describe('GET /api/whatsapp/qr', () => {
  it('reports no QR code and no connection on both paths (personal mode is not supported)', async () => {
    for (const path of ['/api/whatsapp/qr', '/api/v1/whatsapp/qr']) {
      const res = await fetch(`${url}${path}`);
      expect(await res.json()).toEqual({ qr: null, connected: false });
    }
  });
});
