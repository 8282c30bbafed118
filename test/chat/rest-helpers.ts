import http from 'node:http';
import { expect } from 'vitest';
import type { RecordedRequest } from '../helpers/fake-llm/index.js';
import type { HttpResult } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';

/** One Server-Sent Event as sent by PocketPaw: a name and a single-line JSON object. */
export interface SseEvent {
  event: string;
  data: any;
}

/**
 * Parses a text/event-stream body strictly per spec §5: every event is exactly
 * `event: <name>\ndata: <one-line JSON object>\n\n`. Throws on anything else, so a test that
 * parses a stream also checks its framing. An incomplete trailing block is returned in `rest`.
 */
export function parseSse(text: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let pos = 0;
  for (;;) {
    const end = text.indexOf('\n\n', pos);
    if (end < 0) break;
    const block = text.slice(pos, end);
    pos = end + 2;
    const m = /^event: ([a-z_]+)\ndata: (\{[^\n]*\})$/.exec(block);
    if (!m) throw new Error(`malformed SSE block: ${JSON.stringify(block)}`);
    const data = JSON.parse(m[2]!) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`SSE data is not an object: ${m[2]}`);
    events.push({ event: m[1]!, data });
  }
  return { events, rest: text.slice(pos) };
}

/** A whole SSE response, read to its end. */
export interface SseResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  events: SseEvent[];
}

export async function chatStream(s: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<SseResult> {
  const res = await s.request('/api/v1/chat/stream', { method: 'POST', json: body, headers });
  if (res.status !== 200) return { status: res.status, headers: res.headers, text: res.text, events: [] };
  const { events, rest } = parseSse(res.text);
  expect(rest, 'nothing after the last complete event').toBe('');
  return { status: res.status, headers: res.headers, text: res.text, events };
}

export function chatBlocking(s: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return s.request('/api/v1/chat', { method: 'POST', json: body, headers });
}

/** The text of all `chunk` events joined. */
export function chunkText(events: SseEvent[]): string {
  return events.filter((e) => e.event === 'chunk').map((e) => e.data.content as string).join('');
}

/** An SSE response being read as it arrives. */
export interface OpenSse {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** Resolves with the first event (at or after index `from`) matching `pred`. */
  waitFor(pred: (e: SseEvent) => boolean, opts?: { timeoutMs?: number; from?: number }): Promise<SseEvent>;
  /** Resolves when the server ended the response (or the connection closed). */
  ended: Promise<void>;
  /** Closes the connection from the client side (a user closing the tab). */
  destroy(): void;
}

/** Opens `POST /api/v1/chat/stream` and resolves once the response headers are in. */
export function openChatStream(s: TestServer, body: unknown): Promise<OpenSse> {
  const url = new URL('/api/v1/chat/stream', s.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
    }, (res) => {
      const events: SseEvent[] = [];
      const listeners = new Set<() => void>();
      let buffer = '';
      let done = false;
      let failure: Error | undefined;
      const notify = () => {
        for (const l of [...listeners]) l();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        try {
          const parsed = parseSse(buffer);
          buffer = parsed.rest;
          events.push(...parsed.events);
        } catch (err) {
          failure = err as Error;
        }
        notify();
      });
      const ended = new Promise<void>((r) => {
        const finish = () => {
          done = true;
          notify();
          r();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
      const waitFor: OpenSse['waitFor'] = (pred, { timeoutMs = 10_000, from = 0 } = {}) => new Promise((ok, fail) => {
        const check = () => {
          if (failure) return stop(() => fail(failure));
          const hit = events.slice(from).find(pred);
          if (hit) return stop(() => ok(hit));
          if (done) return stop(() => fail(new Error(`stream ended; events: ${JSON.stringify(events).slice(0, 2000)}`)));
        };
        const timer = setTimeout(() => stop(() => fail(new Error(`timed out; events: ${JSON.stringify(events).slice(0, 2000)}`))), timeoutMs);
        const stop = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      });
      resolve({
        status: res.statusCode ?? 0, headers: res.headers, events, waitFor, ended,
        destroy: () => {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls `check` until it returns a value other than undefined/false (condition waits, no fixed sleeps). */
export async function waitUntil<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<Exclude<T, undefined | false | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value as Exclude<T, undefined | false | null>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function historyOf(s: TestServer, sessionId: string): Promise<Array<{ role: string; content: string }>> {
  const res = await s.get(`/api/v1/sessions/${encodeURIComponent(sessionId)}/history?limit=500`);
  expect(res.status, res.text).toBe(200);
  // PocketPaw's view of a message; our additions (ids, versions, steps…) have their own tests.
  return (res.body as Array<{ role: string; content: string }>).map(({ role, content }) => ({ role, content }));
}

/**
 * The messages as stored (unredacted), straight from the server's store: what the model's
 * context gets. Every client-facing read (history, export) is redacted.
 */
export function storedOf(s: TestServer, sessionId: string): Array<{ role: string; content: string }> {
  return s.server.ctx.sessions.rawHistory(sessionId, 500).map((m) => ({ role: m.role || 'user', content: m.content }));
}

/** The stored messages with metadata (via the JSON export); [] when the session does not exist. */
export async function storedMessages(s: TestServer, sessionId: string): Promise<Array<{ role: string; content: string; metadata: Record<string, unknown> }>> {
  const res = await s.get(`/api/v1/sessions/${encodeURIComponent(sessionId)}/export?format=json`);
  if (res.status === 404) return [];
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.text).messages;
}

export async function sessionSummary(s: TestServer, sessionId: string): Promise<Record<string, any> | undefined> {
  const res = await s.get('/api/sessions?limit=500');
  expect(res.status, res.text).toBe(200);
  return (res.body.sessions as Array<Record<string, any>>).find((x) => x.id === sessionId);
}

/** A provider request's conversation, normalised across wire formats to `{role, text}`. */
export interface WireMessage {
  role: string;
  text: string;
  /** Tool results carried by this message (OpenAI `tool` role, Anthropic `tool_result` blocks, Ollama `tool`). */
  toolResults: string[];
  toolCalls: string[];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p: any) => (p?.type === 'text' ? String(p.text) : '')).join('');
  }
  return '';
}

/** The system prompt the provider received. */
export function wireSystem(req: RecordedRequest): string {
  if (req.provider === 'anthropic') {
    const sys = req.body.system;
    return typeof sys === 'string' ? sys : (sys ?? []).map((b: any) => b.text).join('\n');
  }
  return (req.body.messages as any[]).filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n');
}

/** The non-system messages the provider received, oldest first. */
export function wireMessages(req: RecordedRequest): WireMessage[] {
  const out: WireMessage[] = [];
  for (const m of req.body.messages as any[]) {
    if (m.role === 'system' || m.role === 'developer') continue;
    const toolResults: string[] = [];
    const toolCalls: string[] = [];
    if (m.role === 'tool') toolResults.push(typeof m.content === 'string' ? m.content : JSON.stringify(m.content));
    for (const c of m.tool_calls ?? []) toolCalls.push(c.function?.name);
    if (Array.isArray(m.content)) {
      for (const p of m.content) {
        if (p?.type === 'tool_result') toolResults.push(typeof p.content === 'string' ? p.content : JSON.stringify(p.content));
        if (p?.type === 'tool_use') toolCalls.push(p.name);
      }
    }
    out.push({ role: m.role, text: textOf(m.content), toolResults, toolCalls });
  }
  return out;
}

/** Wire endpoint each provider kind must call. */
export const WIRE = {
  openai: { provider: 'openai', path: '/v1/chat/completions', model: 'gpt-test' },
  anthropic: { provider: 'anthropic', path: '/v1/messages', model: 'claude-test' },
  ollama: { provider: 'ollama', path: '/api/chat', model: 'llama-test' },
  openai_compatible: { provider: 'openai', path: '/v1/chat/completions', model: 'compat-test' },
} as const;

/** 12 lowercase hex, the generated REST chat id suffix (spec §3.3). */
export const API_CHAT_ID = /^api:[0-9a-f]{12}$/;
