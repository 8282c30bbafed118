import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildWhatsAppAdapter, type WhatsAppAdapter } from '../../../src/channels/whatsapp/adapter.js';
import { GRAPH_TUNING, type GraphTuning } from '../../../src/channels/whatsapp/graph.js';
import type { InboundMessage } from '../../../src/channels/types.js';
import { settingsSchema } from '../../../src/config/settings.js';
import { ACCESS_TOKEN, PHONE_NUMBER_ID, startFakeGraph, type FakeGraph } from './fake-graph.js';
import { messagePayload, textPayload } from './webhook-client.js';

/** The real backoff, in milliseconds instead of seconds. */
const FAST: GraphTuning = { ...GRAPH_TUNING, baseDelayMs: 10, maxDelayMs: 50 };

let graph: FakeGraph;
let adapter: WhatsAppAdapter | null = null;
let logs: string[];

function makeAdapter(overrides: Record<string, unknown> = {}, maxFileBytes = 1024 * 1024): WhatsAppAdapter {
  const settings = settingsSchema.parse({
    whatsapp_mode: 'business', whatsapp_access_token: ACCESS_TOKEN, whatsapp_phone_number_id: PHONE_NUMBER_ID,
    whatsapp_api_base_url: graph.baseUrl, ...overrides,
  });
  adapter = buildWhatsAppAdapter({ settings, maxFileBytes, log: (m) => logs.push(m) }, FAST);
  return adapter;
}

async function started(a: WhatsAppAdapter) {
  const waiters: Array<(m: InboundMessage) => void> = [];
  const received: InboundMessage[] = [];
  await a.start((m) => {
    received.push(m);
    waiters.shift()?.(m);
  });
  return {
    received,
    next: () => new Promise<InboundMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no inbound message')), 5_000);
      waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    }),
  };
}

beforeEach(async () => {
  logs = [];
  graph = await startFakeGraph();
});

afterEach(async () => {
  await adapter?.stop();
  adapter = null;
  await graph.close();
});

describe('WhatsApp adapter', () => {
  it('checks the phone number id with the token on start, and refuses a bad one plainly', async () => {
    await makeAdapter().start(() => {});
    expect(graph.requests[0]).toMatchObject({ method: 'GET', path: `/v21.0/${PHONE_NUMBER_ID}`, auth: ACCESS_TOKEN });
    await adapter?.stop();

    await expect(makeAdapter({ whatsapp_access_token: 'EAAG-wrong' }).start(() => {}))
      .rejects.toThrow(/^WhatsApp rejected the access token or phone number id — check whatsapp_access_token \/ whatsapp_phone_number_id \(Invalid OAuth access token/);
    await expect(makeAdapter({ whatsapp_phone_number_id: '999' }).start(() => {})).rejects.toThrow(/^WhatsApp rejected .*Object with ID '999' does not exist/);
    expect(logs.join('\n')).not.toContain(ACCESS_TOKEN);
  });

  it('sends text as a Cloud API text message, converted to WhatsApp marks; cannot edit', async () => {
    const a = makeAdapter();
    await a.start(() => {});
    const sent = await a.send('+1 555-0123', '# Plan\n**bold** and [docs](https://example.com)');
    const msg = graph.sent[0];
    expect(msg?.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '15550123', type: 'text', text: { body: '*Plan*\n*bold* and docs (https://example.com)', preview_url: false } });
    expect(sent).toEqual({ chatId: '+1 555-0123', messageId: msg?.id });
    expect(a.limits).toEqual({ maxChars: 4096, canEdit: false, editIntervalMs: 0 });
    await expect(a.edit()).rejects.toThrow(/cannot edit/);
  });

  it('reads a text message from a webhook payload, once, for its own phone number only', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    const payload = textPayload('15550123', 'hello there');
    const first = inbox.next();
    expect(a.receive(payload)).toBe(true);
    expect(await first).toEqual({ chatId: '15550123', senderId: '15550123', senderName: 'Test User', text: 'hello there' });

    // Meta redelivers a webhook it thinks failed; another number of the same Meta app is not ours.
    a.receive(payload);
    a.receive(textPayload('15550123', 'for the other number', { phoneNumberId: '111111' }));
    const last = inbox.next();
    a.receive(textPayload('15550123', 'second'));
    expect((await last).text).toBe('second');
    expect(inbox.received.map((m) => m.text)).toEqual(['hello there', 'second']);
  });

  it('says it is not running when it is stopped', async () => {
    const a = makeAdapter();
    expect(a.receive(textPayload('15550123', 'hi'))).toBe(false);
    await a.start(() => {});
    await a.stop();
    expect(a.receive(textPayload('15550123', 'hi'))).toBe(false);
    await expect(a.send('15550123', 'late')).rejects.toThrow(/not running/);
  });

  it('downloads an image (media id → URL → bytes, with the token) within the size limit', async () => {
    const a = makeAdapter({}, 100);
    const inbox = await started(a);
    const png = Buffer.from('89504e470d0a1a0a-fake-png', 'utf8');
    const id = graph.addMedia(png, 'image/png');
    const got = inbox.next();
    a.receive(messagePayload('15550123', { type: 'image', image: { id, mime_type: 'image/png', caption: 'what is this?' } }));
    const m = await got;
    expect(m.text).toBe('what is this?');
    expect(m.files).toHaveLength(1);
    expect(m.files?.[0]).toMatchObject({ name: 'image.png', mime: 'image/png' });
    expect(Buffer.from(m.files?.[0]?.data ?? []).equals(png)).toBe(true);
    expect(graph.requests.find((r) => r.path.startsWith('/download/'))?.auth).toBe(ACCESS_TOKEN);

    // Too big by Graph's own account: not downloaded, and the model is told.
    const big = graph.addMedia(Buffer.alloc(10), 'application/pdf', { reportedSize: 101 });
    const next = inbox.next();
    a.receive(messagePayload('15550123', { type: 'document', document: { id: big, mime_type: 'application/pdf', filename: 'report.pdf' } }));
    const d = await next;
    expect(d.files).toBeUndefined();
    expect(d.text).toContain('[report.pdf: not downloaded');
    expect(graph.requests.filter((r) => r.path === `/download/${big}`)).toHaveLength(0);
  });

  it('uploads a file, then sends it as an image or a document by media id', async () => {
    const a = makeAdapter();
    await a.start(() => {});
    await a.sendFile('15550123', { name: 'chart.png', mime: 'image/png', data: Buffer.from('png-bytes') });
    await a.sendFile('15550123', { name: 'notes.pdf', mime: 'application/pdf', data: Buffer.from('pdf-bytes') });
    const [img, doc] = graph.sent;
    const imgMedia = graph.uploads.get(String((img?.body.image as { id: string }).id));
    expect(img?.type).toBe('image');
    expect(imgMedia).toMatchObject({ mime: 'image/png', filename: 'chart.png' });
    expect(imgMedia?.data.toString()).toBe('png-bytes');
    expect(doc?.type).toBe('document');
    expect(doc?.body.document).toMatchObject({ filename: 'notes.pdf' });
    expect(graph.uploads.get(String((doc?.body.document as { id: string }).id))?.data.toString()).toBe('pdf-bytes');
  });

  it('retries 5xx, 429 and Graph rate-limit errors with backoff, but not a 401', async () => {
    const a = makeAdapter();
    await a.start(() => {});
    graph.failNext('/messages', { status: 503 });
    graph.failNext('/messages', { status: 429, retryAfter: 0 });
    graph.failNext('/messages', { status: 400, code: 130429 });
    await a.send('15550123', 'eventually');
    expect(graph.requests.filter((r) => r.path.endsWith('/messages'))).toHaveLength(4);
    expect(graph.sent.map((m) => (m.body.text as { body: string }).body)).toEqual(['eventually']);

    // Out of retries: the failure reaches the caller.
    graph.failNext('/messages', { status: 500 }, 4);
    await expect(a.send('15550123', 'lost')).rejects.toThrow('Injected failure');

    graph.failNext('/messages', { status: 401, code: 190 });
    const before = graph.requests.length;
    await expect(a.send('15550123', 'unauthorised')).rejects.toThrow();
    expect(graph.requests.length - before).toBe(1);
  });

  it('shows typing on the message being answered (a read receipt with the indicator)', async () => {
    const a = makeAdapter();
    const inbox = await started(a);
    const payload = textPayload('15550123', 'hi');
    const got = inbox.next();
    a.receive(payload);
    await got;
    // Nothing is marked read on arrival: only the channel layer, past the allow list, calls typing.
    expect(graph.reads).toEqual([]);
    await a.typing('15550123');
    const id = ((payload.entry as Array<{ changes: Array<{ value: { messages: Array<{ id: string }> } }> }>)[0]?.changes[0]?.value.messages[0]?.id);
    expect(graph.reads).toEqual([{ message_id: id, typing: true }]);
  });
});
