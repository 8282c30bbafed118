import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A fake Slack: the Web API over HTTP (form-encoded or multipart POSTs answered with
 * `{ok:…}` JSON, as slack.com/api does) and a Socket Mode WebSocket speaking the real envelope
 * protocol: `hello` on connect, `events_api` envelopes that the client must ack with
 * `{"envelope_id"}`, `disconnect` when the server wants a new connection.
 */

export const BOT_TOKEN = 'xoxb-test-bot-token';
export const APP_TOKEN = 'xapp-1-test-app-token';
export const BOT_USER_ID = 'UBOT0001';
export const BOT_ID = 'BBOT0001';
export const TEAM_ID = 'T0TEAM001';

export interface ApiCall {
  method: string;
  params: Record<string, string>;
  auth: string | undefined;
  at: number;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  thread_ts?: string;
  /** Every text it showed, first the posted one, then each chat.update. */
  history: string[];
}

export interface UploadedFile {
  id: string;
  filename: string;
  length: number;
  data?: Buffer;
  channel_id?: string;
  thread_ts?: string;
  completed: boolean;
}

type Failure = { status: 429; retryAfter: number } | { status: 500 | 502 | 503 };

export interface FakeSlack {
  /** The Web API base, as `slack_api_base_url`. */
  apiUrl: string;
  calls: ApiCall[];
  acks: string[];
  messages: PostedMessage[];
  uploads: Map<string, UploadedFile>;
  /** Socket Mode connections that got their `hello`, ever. */
  connections(): number;
  /** Connections open now. */
  openSockets(): number;
  waitForConnection(count?: number, timeoutMs?: number): Promise<void>;
  waitForSocketsClosed(timeoutMs?: number): Promise<void>;
  waitForCall(method: string, pred?: (c: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<void>;
  /** A DM (`message`, `channel_type: im`) or any message event; returns the envelope id. */
  pushMessage(event: Record<string, unknown>): string;
  /** An `app_mention` in a channel: text gets the bot's mention in front. */
  pushMention(channel: string, user: string, text: string, extra?: Record<string, unknown>): string;
  /** A file the workspace holds, for an event's `files`: returns its Slack file object. */
  addFile(name: string, mimetype: string, data: Buffer): Record<string, unknown>;
  failNext(method: string, failure: Failure, times?: number): void;
  /** Asks every connected client to reconnect, as Slack does when it recycles a server. */
  sendDisconnect(reason?: string): void;
  close(): Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Form fields of a Web API call (url-encoded or multipart) and any binary parts. */
async function parseParams(req: http.IncomingMessage, body: Buffer): Promise<{ params: Record<string, string>; blobs: Record<string, Buffer> }> {
  const type = req.headers['content-type'] ?? '';
  const params: Record<string, string> = {};
  const blobs: Record<string, Buffer> = {};
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
    for (const [k, v] of form.entries()) {
      if (typeof v === 'string') params[k] = v;
      else blobs[k] = Buffer.from(await v.arrayBuffer());
    }
  } else if (type.startsWith('application/json')) {
    for (const [k, v] of Object.entries(JSON.parse(body.toString() || '{}') as Record<string, unknown>)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
  } else {
    for (const [k, v] of new URLSearchParams(body.toString())) params[k] = v;
  }
  return { params, blobs };
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const calls: ApiCall[] = [];
  const acks: string[] = [];
  const messages: PostedMessage[] = [];
  const uploads = new Map<string, UploadedFile>();
  const files = new Map<string, { data: Buffer; mimetype: string }>();
  const failures = new Map<string, Failure[]>();
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  let helloCount = 0;
  let seq = 0;
  let tsCounter = 1_700_000_000;
  const nextTs = () => `${++tsCounter}.000100`;
  let base = '';

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  function api(method: string, p: Record<string, string>, auth: string | undefined, blobs: Record<string, Buffer>): unknown {
    const bot = auth === BOT_TOKEN;
    if (method === 'apps.connections.open') {
      if (auth !== APP_TOKEN) return { ok: false, error: auth?.startsWith('xoxb-') ? 'not_allowed_token_type' : 'invalid_auth' };
      const ticket = `t${++seq}`;
      tickets.add(ticket);
      return { ok: true, url: `${base.replace('http', 'ws')}/link/?ticket=${ticket}&app_id=A0APP001` };
    }
    if (!bot) return { ok: false, error: auth ? 'invalid_auth' : 'not_authed' };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'pocketpaw', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID, is_enterprise_install: false };
      case 'chat.postMessage': {
        if (!p.channel) return { ok: false, error: 'channel_not_found' };
        const m: PostedMessage = { channel: p.channel, ts: nextTs(), text: p.text ?? '', history: [p.text ?? ''], ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}) };
        messages.push(m);
        return { ok: true, channel: m.channel, ts: m.ts, message: { type: 'message', text: m.text, user: BOT_USER_ID, bot_id: BOT_ID, ts: m.ts } };
      }
      case 'chat.update': {
        const m = messages.find((x) => x.channel === p.channel && x.ts === p.ts);
        if (!m) return { ok: false, error: 'message_not_found' };
        m.text = p.text ?? '';
        m.history.push(m.text);
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${String(++seq).padStart(8, '0')}`;
        uploads.set(id, { id, filename: p.filename ?? '', length: Number(p.length), completed: false });
        return { ok: true, upload_url: `${base}/upload/v1/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = JSON.parse(p.files ?? '[]') as Array<{ id: string; title?: string }>;
        const out = [];
        for (const f of list) {
          const u = uploads.get(f.id);
          if (!u?.data) return { ok: false, error: 'file_not_found' };
          u.completed = true;
          if (p.channel_id) u.channel_id = p.channel_id;
          if (p.thread_ts) u.thread_ts = p.thread_ts;
          out.push({ id: u.id, name: u.filename, title: f.title ?? u.filename, size: u.data.length });
        }
        return { ok: true, files: out };
      }
      default:
        void blobs;
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const body = await readBody(req);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      // The upload URL files.getUploadURLExternal handed out: the bytes, multipart or raw.
      const up = /^\/upload\/v1\/(F\d+)$/.exec(url.pathname);
      if (up && req.method === 'POST') {
        const u = uploads.get(up[1] ?? '');
        if (!u) return json(res, 404, { ok: false });
        const { blobs } = await parseParams(req, body);
        u.data = Object.values(blobs)[0] ?? body;
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`OK - ${u.data.length}`);
      }
      const dl = /^\/files-pri\/(F\d+)\/(.+)$/.exec(url.pathname);
      if (dl && req.method === 'GET') {
        const f = files.get(dl[1] ?? '');
        // Real Slack answers a missing token with its sign-in page; the fake is plainer.
        if (bearer !== BOT_TOKEN) return json(res, 403, { ok: false, error: 'not_authed' });
        if (!f) return json(res, 404, { ok: false, error: 'file_not_found' });
        res.writeHead(200, { 'content-type': f.mimetype, 'content-length': String(f.data.length) });
        return res.end(f.data);
      }
      const m = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
      if (!m || req.method !== 'POST') return json(res, 404, { ok: false, error: 'unknown_method' });
      const method = m[1] ?? '';
      const { params, blobs } = await parseParams(req, body);
      const auth = bearer ?? params.token;
      const call: ApiCall = { method, params, auth, at: Date.now() };
      calls.push(call);
      const queue = failures.get(method);
      const failure = queue?.shift();
      if (failure) {
        events.emit('call', call);
        if (failure.status === 429) return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
        return json(res, failure.status, { ok: false, error: 'internal_error' });
      }
      const out = api(method, params, auth, blobs);
      json(res, 200, out);
      events.emit('call', call);
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', base);
    const ticket = url.searchParams.get('ticket') ?? '';
    // A wss URL works once, as Slack's do.
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => {
        sockets.delete(ws);
        events.emit('closed');
      });
      ws.on('message', (data) => {
        let msg: { envelope_id?: unknown };
        try {
          msg = JSON.parse(String(data)) as { envelope_id?: unknown };
        } catch {
          return;
        }
        if (typeof msg.envelope_id === 'string') {
          acks.push(msg.envelope_id);
          events.emit('ack', msg.envelope_id);
        }
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.size, debug_info: { host: 'fake-slack', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0APP001' } }));
      helloCount += 1;
      events.emit('hello');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function until<T>(check: () => T | undefined, event: string, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const now = check();
      if (now !== undefined) return resolve(now);
      const onEvent = () => {
        const v = check();
        if (v === undefined) return;
        cleanup();
        resolve(v);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake slack: timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        events.off(event, onEvent);
      };
      events.on(event, onEvent);
    });
  }

  function deliver(event: Record<string, unknown>): string {
    const ws = [...sockets].at(-1);
    if (!ws) throw new Error('fake slack: no Socket Mode client is connected');
    const envelopeId = `env-${++seq}`;
    ws.send(JSON.stringify({
      envelope_id: envelopeId,
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
      payload: {
        token: 'verification-token', team_id: TEAM_ID, api_app_id: 'A0APP001', type: 'event_callback',
        event_id: `Ev${seq}`, event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
        event: { event_ts: nextTs(), ...event },
      },
    }));
    return envelopeId;
  }

  return {
    apiUrl: `${base}/api/`,
    calls, acks, messages, uploads,
    connections: () => helloCount,
    openSockets: () => sockets.size,
    waitForConnection: (count = 1, timeoutMs = 10_000) => until(() => (helloCount >= count ? true : undefined), 'hello', timeoutMs, `connection #${count}`).then(() => {}),
    waitForSocketsClosed: (timeoutMs = 5_000) => until(() => (sockets.size === 0 ? true : undefined), 'closed', timeoutMs, 'sockets to close').then(() => {}),
    waitForCall: (method, pred = () => true, timeoutMs = 10_000) =>
      until(() => calls.find((c) => c.method === method && pred(c)), 'call', timeoutMs, `a ${method} call`),
    waitForAck: (id, timeoutMs = 5_000) => until(() => (acks.includes(id) ? true : undefined), 'ack', timeoutMs, `ack of ${id}`).then(() => {}),
    pushMessage: (event) => deliver({ type: 'message', ts: nextTs(), ...event }),
    pushMention: (channel, user, text, extra = {}) =>
      deliver({ type: 'app_mention', channel, user, text: `<@${BOT_USER_ID}> ${text}`, ts: nextTs(), team: TEAM_ID, ...extra }),
    addFile: (name, mimetype, data) => {
      const id = `F${String(++seq).padStart(8, '0')}`;
      files.set(id, { data, mimetype });
      return { id, name, title: name, mimetype, size: data.length, url_private: `${base}/files-pri/${id}/${encodeURIComponent(name)}`, url_private_download: `${base}/files-pri/${id}/download/${encodeURIComponent(name)}` };
    },
    failNext: (method, failure, times = 1) => {
      failures.set(method, [...(failures.get(method) ?? []), ...Array.from({ length: times }, () => failure)]);
    },
    sendDisconnect: (reason = 'refresh_requested') => {
      for (const ws of sockets) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
    },
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
