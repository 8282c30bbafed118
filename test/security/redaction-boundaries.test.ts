import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, CLI_TIMEOUT } from '../cli/cli.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

/**
 * Spec §6.1 at every client-facing boundary: a session holding an OpenAI-looking key, the master
 * token and a saved custom provider key (no recognisable shape) is read back through REST
 * history (both families), exports (json and md, both families), search, list previews,
 * titles, the WebSocket's session_history, the CLI export and the audit log. None of them may
 * show a value; every one shows [REDACTED]. The store keeps the text as it was.
 */

const OPENAI_KEY = 'sk-proj-Zq7Xk2Lm9Np4Rs6Tu8Vw1Ya3Bc5De7';
/** Saved as `openai_compatible_api_key`: no pattern would recognise it. */
const CUSTOM_KEY = 'CUSTOMkeyNoPattern7731xq';
const R = '[REDACTED]';

let env: ChatTestEnv;
let master: string;
let question: string;
let answer: string;
let sessionId: string;
const sockets: ChatSocket[] = [];

function secretsIn(text: string): string[] {
  return [OPENAI_KEY, master, CUSTOM_KEY, OPENAI_KEY.slice(3, 20), master.slice(0, 18), CUSTOM_KEY.slice(0, 16)].filter((s) => text.includes(s));
}

function expectClean(what: string, text: string): void {
  expect(secretsIn(text), what).toEqual([]);
  expect(text, what).toContain(R);
}

async function ask(sock: ChatSocket, frame: unknown, type: string): Promise<WsFrame> {
  const from = sock.frames.length;
  sock.send(frame);
  return sock.waitFor((f) => f.type === type, { from });
}

beforeAll(async () => {
  env = await startChatServer('openai');
  master = env.s.token;
  const saved = await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings: { openai_compatible_api_key: CUSTOM_KEY } } });
  expect(saved.status, saved.text).toBe(200);

  question = `zebraword: my OpenAI key is ${OPENAI_KEY}, the master token is ${master} and the custom key is ${CUSTOM_KEY}.`;
  answer = `Noted zebraword: ${OPENAI_KEY} / ${master} / ${CUSTOM_KEY}.`;
  // The model reads a file whose name carries the master token and the custom key (the audit log
  // records the call's parameters), then answers with the secrets.
  env.fake.enqueue(toolCallReply('read_file', { path: `${master}-${CUSTOM_KEY}.txt` }), textReply(answer, { chunkSize: 5 }));
  const sock = await connectChat(env.s.url);
  sockets.push(sock);
  sessionId = sock.sessionId;
  const from = sock.frames.length;
  sock.send({ action: 'chat', message: question });
  const frames = await sock.turn(from, 20_000);
  // The live stream (already covered elsewhere) is clean of the value-only secrets too.
  const live = JSON.stringify(frames);
  expect(secretsIn(live), 'live frames').toEqual([]);

  // A title the user typed with a secret in it.
  const renamed = await env.s.post(`/api/v1/sessions/${sessionId}/title`, { title: `Keys ${CUSTOM_KEY} and ${master}` });
  expect(renamed.status, renamed.text).toBe(200);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await env.close();
});

describe('stored text stays as it was', () => {
  it('the store keeps the secrets (the model context is raw)', () => {
    const stored = env.s.server.ctx.sessions.rawHistory(sessionId, 10).map((m) => m.content);
    expect(stored).toEqual([question, answer]);
  });
});

describe('every client-facing boundary is redacted', () => {
  it('REST history, v1 and legacy', async () => {
    for (const p of [`/api/v1/sessions/${sessionId}/history`, `/api/memory/session?id=${sessionId}`]) {
      const res = await env.s.get(p);
      expect(res.status, p).toBe(200);
      expectClean(p, res.text);
      expect(res.body[1].content, p).toBe(`Noted zebraword: ${R} / ${R} / ${R}.`);
    }
  });

  it('exports, json and md, v1 and legacy', async () => {
    for (const format of ['json', 'md']) {
      for (const p of [`/api/v1/sessions/${sessionId}/export?format=${format}`, `/api/memory/session/export?id=${sessionId}&format=${format}`]) {
        const res = await env.s.get(p);
        expect(res.status, p).toBe(200);
        expectClean(p, res.text);
      }
    }
  });

  it('search matches and titles, v1 and legacy', async () => {
    for (const p of ['/api/v1/sessions/search?q=zebraword', '/api/sessions/search?q=zebraword']) {
      const res = await env.s.get(p);
      expect(res.status, p).toBe(200);
      expect(res.body.sessions.length, p).toBeGreaterThan(0);
      expectClean(p, res.text);
    }
  });

  it('session lists: previews and titles, every family', async () => {
    for (const p of ['/api/v1/sessions', '/api/sessions', '/api/memory/sessions']) {
      const res = await env.s.get(p);
      expect(res.status, p).toBe(200);
      expectClean(p, res.text);
    }
    const v1 = (await env.s.get('/api/v1/sessions')).body.sessions.find((s: { id: string }) => s.id === sessionId);
    expect(v1.title).toBe(`Keys ${R} and ${R}`);
  });

  it('WebSocket session_history (switch_session and resume)', async () => {
    const sock = await connectChat(env.s.url);
    sockets.push(sock);
    const frame = await ask(sock, { action: 'switch_session', session_id: sessionId }, 'session_history');
    expectClean('switch_session', JSON.stringify(frame));
    expect(frame.messages).toHaveLength(2);
  });

  it('the audit log as the audit routes return it, v1 and legacy (the file keeps the values)', async () => {
    const raw = fs.readFileSync(path.join(env.s.home, 'audit.jsonl'), 'utf8');
    expect(raw).toContain(CUSTOM_KEY);
    for (const p of ['/api/v1/audit?limit=1000', '/api/audit?limit=1000']) {
      const res = await env.s.get(p);
      expect(res.status, p).toBe(200);
      expectClean(p, res.text);
    }
  });

  it('live audit frames on the socket', async () => {
    const sock = await connectChat(env.s.url);
    sockets.push(sock);
    env.fake.enqueue(toolCallReply('read_file', { path: `again-${CUSTOM_KEY}-${master}.txt` }), textReply('ok'));
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'read it again' });
    const frames = await sock.turn(from, 20_000);
    const audit = frames.filter((f) => f.type === 'system_event' && f.event_type === 'audit_entry');
    expect(audit.length).toBeGreaterThan(0);
    expectClean('audit frames', JSON.stringify(audit));
  });

  it('the CLI: sessions export (md and json), list and search', async () => {
    for (const args of [['sessions', 'export', sessionId], ['sessions', 'export', sessionId, '-f', 'json'], ['sessions', 'list', '--json'], ['sessions', 'search', 'zebraword', '--json']]) {
      const res = await runCli(args, env.s.home);
      expect(res.code, `${args.join(' ')}\n${res.stderr}`).toBe(0);
      expectClean(args.join(' '), res.stdout);
    }
  }, CLI_TIMEOUT * 2);
});
