import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Graph API for the WhatsApp Cloud API under `/v21.0`: the phone number object,
 * `/<phone id>/messages` (text, media and read receipts), `/<phone id>/media` uploads
 * (multipart), media lookup by id and the download URL it hands out. Graph's error shape
 * (`{error:{message,type,code}}`) on a wrong token or unknown object; failures injectable.
 */

export const ACCESS_TOKEN = 'EAAG-test-access-token';
export const PHONE_NUMBER_ID = '106540352242922';
export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';

export interface GraphRequest {
  method: string;
  path: string;
  auth: string | undefined;
  body: unknown;
  at: number;
}

export interface SentWa {
  id: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
}

export interface StoredMedia {
  id: string;
  data: Buffer;
  mime: string;
  filename?: string;
}

type Failure = { status: number; retryAfter?: number; code?: number };

export interface FakeGraph {
  /** As `whatsapp_api_base_url`. */
  baseUrl: string;
  requests: GraphRequest[];
  /** Messages sent (text and media), not read receipts. */
  sent: SentWa[];
  /** Read receipts / typing indicators, by message id. */
  reads: Array<{ message_id: string; typing: boolean }>;
  uploads: Map<string, StoredMedia>;
  /** Media a user sent: returns the id a webhook names. */
  addMedia(data: Buffer, mime: string, opts?: { reportedSize?: number }): string;
  /** The next `times` calls whose path ends with `suffix` fail. */
  failNext(suffix: string, failure: Failure, times?: number): void;
  waitForSent(pred?: (m: SentWa) => boolean, timeoutMs?: number): Promise<SentWa>;
  close(): Promise<void>;
}

const graphError = (message: string, code: number, type = 'OAuthException') => ({ error: { message, type, code, fbtrace_id: 'AfakeTrace' } });

export async function startFakeGraph(): Promise<FakeGraph> {
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const requests: GraphRequest[] = [];
  const sent: SentWa[] = [];
  const reads: FakeGraph['reads'] = [];
  const uploads = new Map<string, StoredMedia>();
  const inbound = new Map<string, StoredMedia & { reportedSize?: number }>();
  const failures: Array<{ suffix: string; failure: Failure }> = [];
  let seq = 0;
  let origin = '';

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', origin);
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const type = req.headers['content-type'] ?? '';
      let body: unknown = null;
      let form: FormData | null = null;
      if (type.startsWith('application/json')) body = JSON.parse(raw.toString() || 'null');
      else if (type.startsWith('multipart/form-data')) {
        form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
        body = Object.fromEntries([...form.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : `<file ${(v as File).name}>`]));
      }
      const path = url.pathname;
      requests.push({ method: req.method ?? '', path, auth, body, at: Date.now() });

      // The download URL media lookup hands out (lookaside.fbsbx.com on the real thing).
      const dl = /^\/download\/(.+)$/.exec(path);
      if (dl) {
        const m = inbound.get(dl[1] ?? '');
        if (auth !== ACCESS_TOKEN) return json(res, 401, graphError('Invalid OAuth access token.', 190));
        if (!m) return json(res, 404, graphError('not found', 100));
        res.writeHead(200, { 'content-type': m.mime, 'content-length': String(m.data.length) });
        return res.end(m.data);
      }
      if (!path.startsWith('/v21.0/')) return json(res, 404, graphError('Unknown path', 2500));
      if (auth !== ACCESS_TOKEN) return json(res, 401, graphError('Invalid OAuth access token - Cannot parse access token', 190));
      const f = failures.findIndex((x) => path.endsWith(x.suffix));
      if (f >= 0) {
        const { failure } = failures.splice(f, 1)[0]!;
        return json(res, failure.status, graphError('Injected failure', failure.code ?? 1, 'OAuthException'), failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});
      }
      const rest = path.slice('/v21.0/'.length).split('/');
      const [first, second] = rest;
      if (req.method === 'GET' && rest.length === 1 && first === PHONE_NUMBER_ID) {
        return json(res, 200, { verified_name: 'PocketPaw Test', display_phone_number: '+1 555-0100', quality_rating: 'GREEN', id: PHONE_NUMBER_ID });
      }
      if (req.method === 'GET' && rest.length === 1 && first && inbound.has(first)) {
        const m = inbound.get(first)!;
        return json(res, 200, { messaging_product: 'whatsapp', url: `${origin}/download/${m.id}`, mime_type: m.mime, sha256: crypto.createHash('sha256').update(m.data).digest('hex'), file_size: m.reportedSize ?? m.data.length, id: m.id });
      }
      if (first !== PHONE_NUMBER_ID) {
        return json(res, 400, graphError(`Unsupported ${req.method?.toLowerCase()} request. Object with ID '${first}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 100, 'GraphMethodException'));
      }
      if (req.method === 'POST' && second === 'media' && form) {
        const file = form.get('file');
        if (form.get('messaging_product') !== 'whatsapp' || !(file instanceof Blob)) return json(res, 400, graphError('(#100) The parameter messaging_product is required.', 100));
        const id = `${9000 + ++seq}`;
        uploads.set(id, { id, data: Buffer.from(await file.arrayBuffer()), mime: String(form.get('type') ?? file.type), filename: (file as File).name });
        return json(res, 200, { id });
      }
      if (req.method === 'POST' && second === 'messages') {
        const b = (body ?? {}) as Record<string, unknown>;
        if (b.messaging_product !== 'whatsapp') return json(res, 400, graphError('(#100) The parameter messaging_product is required.', 100));
        if (b.status === 'read') {
          reads.push({ message_id: String(b.message_id), typing: b.typing_indicator !== undefined });
          return json(res, 200, { success: true });
        }
        const msg: SentWa = { id: `wamid.fake${++seq}`, to: String(b.to), type: String(b.type), body: b };
        sent.push(msg);
        events.emit('sent');
        return json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: msg.to, wa_id: msg.to }], messages: [{ id: msg.id }] });
      }
      return json(res, 400, graphError('Unsupported request', 100));
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: `${origin}/v21.0`,
    requests, sent, reads, uploads,
    addMedia: (data, mime, opts = {}) => {
      const id = `${7000 + ++seq}`;
      inbound.set(id, { id, data, mime, ...(opts.reportedSize !== undefined ? { reportedSize: opts.reportedSize } : {}) });
      return id;
    },
    failNext: (suffix, failure, times = 1) => {
      for (let i = 0; i < times; i++) failures.push({ suffix, failure });
    },
    waitForSent: (pred = () => true, timeoutMs = 10_000) => new Promise((resolve, reject) => {
      const check = () => {
        const m = sent.find(pred);
        if (!m) return false;
        clearTimeout(timer);
        events.off('sent', check);
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        events.off('sent', check);
        reject(new Error('fake graph: timed out waiting for a sent message'));
      }, timeoutMs);
      if (!check()) events.on('sent', check);
    }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
