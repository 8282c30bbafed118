import { expect } from 'vitest';
import type { HttpResult, RequestOptions } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';
import { connectChat, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

/**
 * One way PocketPaw's clients reach the server (spec §2): the owner on this machine with no
 * credential, or another machine (127.0.0.2) with a session token (Bearer or `?token=`) or the
 * login cookie.
 */
export interface Caller {
  name: string;
  request(path: string, opts?: RequestOptions): Promise<HttpResult>;
  get(path: string): Promise<HttpResult>;
  post(path: string, json?: unknown): Promise<HttpResult>;
  put(path: string, json?: unknown): Promise<HttpResult>;
  patch(path: string, json?: unknown): Promise<HttpResult>;
  del(path: string): Promise<HttpResult>;
  /** A dashboard socket opened the way this client opens it. */
  socket(query?: string): Promise<ChatSocket>;
}

function withQuery(path: string, key: string, value: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}

function makeCaller(s: TestServer, name: string, how: {
  remote: boolean;
  headers?: Record<string, string>;
  query?: string;
}): Caller {
  const request = (path: string, opts: RequestOptions = {}) => {
    const p = how.query ? withQuery(path, 'token', how.query) : path;
    const o = { ...opts, headers: { ...how.headers, ...opts.headers } };
    return how.remote ? s.remote(p, o) : s.request(p, o);
  };
  return {
    name, request,
    get: (p) => request(p, { method: 'GET' }),
    post: (p, json) => request(p, { method: 'POST', json }),
    put: (p, json) => request(p, { method: 'PUT', json }),
    patch: (p, json) => request(p, { method: 'PATCH', json }),
    del: (p) => request(p, { method: 'DELETE' }),
    socket: (query = '') => {
      const base = `${s.url}/ws${query ? `?${query}` : ''}`;
      const url = how.query ? withQuery(base, 'token', how.query) : base;
      return connectChat(url, { headers: how.headers, ...(how.remote ? { localAddress: '127.0.0.2' } : {}) });
    },
  };
}

/** The dashboard's session token (POST /api/auth/session with the master token). */
export async function sessionToken(s: TestServer): Promise<string> {
  const res = await s.remote('/api/auth/session', { method: 'POST', headers: { authorization: `Bearer ${s.token}` } });
  expect(res.status, res.text).toBe(200);
  return res.body.session_token as string;
}

/** The `pocketpaw_session` cookie POST /api/auth/login sets for the master token. */
export async function loginCookie(s: TestServer): Promise<string> {
  const res = await s.remote('/api/auth/login', { method: 'POST', json: { token: s.token } });
  expect(res.status, res.text).toBe(200);
  const setCookie = (res.headers['set-cookie'] ?? [])[0]!;
  return setCookie.split(';')[0]!;
}

/** Owner on localhost; remote with session token as Bearer, as `?token=`, and with the cookie. */
export async function allCallers(s: TestServer): Promise<Caller[]> {
  const token = await sessionToken(s);
  const cookie = await loginCookie(s);
  return [
    makeCaller(s, 'owner on localhost, no credential', { remote: false }),
    makeCaller(s, '127.0.0.2 with session token as Bearer', { remote: true, headers: { authorization: `Bearer ${token}` } }),
    makeCaller(s, '127.0.0.2 with session token as ?token=', { remote: true, query: token }),
    makeCaller(s, '127.0.0.2 with the login cookie', { remote: true, headers: { cookie } }),
  ];
}

export function anonymousRemote(s: TestServer): Caller {
  return makeCaller(s, '127.0.0.2 without a credential', { remote: true });
}

export function keyCaller(s: TestServer, key: string): Caller {
  return makeCaller(s, `127.0.0.2 with API key`, { remote: true, headers: { authorization: `Bearer ${key}` } });
}

/** Sends `frame`; resolves with the first frame from then on that `pred` accepts. */
export async function ask(sock: ChatSocket, frame: unknown, pred: (f: WsFrame) => boolean, timeoutMs?: number): Promise<WsFrame> {
  const from = sock.frames.length;
  sock.send(frame);
  return sock.waitFor(pred, { from, ...(timeoutMs ? { timeoutMs } : {}) });
}

/** Sends `frame`, then get_settings as a barrier; returns what came in between. */
export async function replyTo(sock: ChatSocket, frame: unknown): Promise<WsFrame[]> {
  const from = sock.frames.length;
  sock.send(frame);
  sock.send({ action: 'get_settings' });
  const barrier = await sock.waitFor((f) => f.type === 'settings', { from });
  // Live frames every socket gets (session changes, audit entries) are not replies.
  return sock.frames.slice(from, sock.frames.indexOf(barrier, from)).filter((f) => !['session_updated', 'session_deleted', 'system_event'].includes(f.type));
}

export const byType = (type: string) => (f: WsFrame) => f.type === type;
