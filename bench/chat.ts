/**
 * Chat benchmark (issue 3): the latency PocketPaw adds before the first streamed token, over
 * WebSocket and SSE, against calling the (fake) provider directly in the same run; and 100
 * WebSocket chats streaming at once — all complete, none leaks into another session.
 *
 * Run alone: `npx tsx bench/chat.ts` (JSON on stdout). `bench/run.ts` includes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../src/server/start.js';
import { startFakeLlm, type FakeLlm, type FakeResponse } from '../test/helpers/fake-llm/index.js';
import { stats } from './http-timing.js';

const TOKENS = Number(process.env.BENCH_CHAT_TOKENS ?? 500);
const SEQUENTIAL = Number(process.env.BENCH_CHAT_SEQUENTIAL ?? 40);
/**
 * Pause between tokens, as a real model streams. Without it the fake sends all tokens in one
 * TCP packet, and since client, server and fake share this process, the first token could not
 * be read before the server had relayed all 500: that would time the whole answer, not the first token.
 */
const TOKEN_GAP_MS = Number(process.env.BENCH_CHAT_TOKEN_GAP_MS ?? 1);
const CONCURRENT = Number(process.env.BENCH_CHAT_CONCURRENT ?? 100);

const log = (msg: string) => process.stderr.write(`[bench:chat] ${msg}\n`);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** A reply of TOKENS words, each tagged with the chat's marker so mixing would show. */
function reply(marker: string): FakeResponse {
  return { steps: Array.from({ length: TOKENS }, (_, i) => [{ text: `${marker}.${i} ` }, { delayMs: TOKEN_GAP_MS }]).flat() };
}

function markerOf(body: any): string {
  const last = [...(body?.messages ?? [])].reverse().find((m: { role: string }) => m.role === 'user');
  const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
  return /chat-(\w+)/.exec(text)?.[1] ?? 'x';
}

/** Reads a streamed response to its end; returns ms from `t0` to when `firstSeen` first matched, and the text. */
async function readStream(res: Response, t0: number, firstSeen: (text: string) => boolean): Promise<{ firstMs: number; text: string }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let firstMs = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (firstMs < 0 && firstSeen(text)) firstMs = performance.now() - t0;
  }
  return { firstMs, text };
}

/** Time to the first content delta when calling the fake's OpenAI endpoint directly. */
async function directFirstToken(fake: FakeLlm, n: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${fake.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
    body: JSON.stringify({ model: 'gpt-bench', stream: true, messages: [{ role: 'user', content: `chat-d${n}` }] }),
  });
  return (await readStream(res, t0, (t) => /"content":"[^"]/.test(t))).firstMs;
}

/** Time to the first SSE `chunk` event from POST /api/v1/chat/stream; reads the stream to its end. */
async function sseFirstToken(url: string, n: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/chat/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content: `chat-s${n}`, session_id: `bench-sse-${n}` }),
  });
  const { firstMs, text } = await readStream(res, t0, (t) => t.includes('event: chunk'));
  if (!text.includes('event: stream_end')) throw new Error(`SSE chat ${n} did not end cleanly`);
  return firstMs;
}

interface WsChat {
  firstTokenMs: number;
  doneMs: number;
  text: string;
}

function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws)); // connection_info
    ws.once('error', reject);
  });
}

/** One chat over an open socket: first token and completion times, and the streamed text. */
function wsChat(ws: WebSocket, marker: string): Promise<WsChat> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = -1;
    let text = '';
    const onClose = () => reject(new Error(`socket closed during chat ${marker}`));
    if (ws.readyState !== ws.OPEN) return onClose();
    const onMessage = (data: WebSocket.RawData) => {
      const f = JSON.parse(data.toString()) as { type: string; content?: string; is_stream_chunk?: boolean };
      if (f.type === 'message' && f.is_stream_chunk) {
        if (first < 0) first = performance.now() - t0;
        text += f.content ?? '';
      } else if (f.type === 'stream_end') {
        ws.off('message', onMessage);
        ws.off('close', onClose);
        resolve({ firstTokenMs: first, doneMs: performance.now() - t0, text });
      }
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify({ action: 'chat', message: `chat-${marker}` }));
  });
}

function expectOwnText(text: string, marker: string): void {
  const words = text.trim().split(/\s+/);
  if (words.length !== TOKENS) throw new Error(`chat ${marker}: ${words.length} of ${TOKENS} tokens arrived`);
  const foreign = words.find((w) => !w.startsWith(`${marker}.`));
  if (foreign) throw new Error(`chat ${marker} received another session's token "${foreign}"`);
}

export async function runChatBench(): Promise<Record<string, unknown>> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-bench-chat-'));
  const fake = await startFakeLlm();
  fake.setDefault((req) => reply(markerOf(req.body)));
  let server: RunningServer | undefined;
  try {
    server = await startServer({
      mode: 'api', host: '127.0.0.1', port: 0, logLevel: 'silent',
      env: {
        ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false', POCKETPAW_AUTO_TITLE_LLM: 'false',
        POCKETPAW_LLM_PROVIDER: 'openai', POCKETPAW_OPENAI_API_KEY: 'sk-bench', POCKETPAW_OPENAI_BASE_URL: fake.openaiBaseUrl,
        POCKETPAW_OPENAI_MODEL: 'gpt-bench', POCKETPAW_LLM_MAX_RETRIES: '0', POCKETPAW_MAX_CONCURRENT_CONVERSATIONS: String(CONCURRENT),
        // All the benchmark's sockets come from one address; the per-address cap (32) would close most.
        POCKETPAW_WS_MAX_CONNECTIONS_PER_IP: String(CONCURRENT + 1),
      },
    });
    const url = server.url;

    log(`first token: ${SEQUENTIAL} direct, SSE and WebSocket chats of ${TOKENS} tokens, interleaved`);
    const direct: number[] = [];
    const sse: number[] = [];
    const ws: number[] = [];
    const sock = await openSocket(url);
    for (let i = 0; i < 5; i++) {
      await directFirstToken(fake, i);
      await sseFirstToken(url, 1000 + i);
      await wsChat(sock, `w${1000 + i}`);
    }
    for (let i = 0; i < SEQUENTIAL; i++) {
      direct.push(await directFirstToken(fake, i));
      sse.push(await sseFirstToken(url, i));
      const chat = await wsChat(sock, `w${i}`);
      expectOwnText(chat.text, `w${i}`);
      ws.push(chat.firstTokenMs);
    }
    sock.close();

    log(`${CONCURRENT} WebSocket chats at once`);
    const sockets = await Promise.all(Array.from({ length: CONCURRENT }, () => openSocket(url)));
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const chats = await Promise.all(sockets.map((s, i) => wsChat(s, `c${i}`)));
    const wallMs = performance.now() - t0;
    chats.forEach((c, i) => expectOwnText(c.text, `c${i}`));
    const rssAfter = process.memoryUsage().rss;
    sockets.forEach((s) => s.close());

    const d = stats(direct);
    const s = stats(sse);
    const w = stats(ws);
    return {
      method: `fake OpenAI-protocol provider on loopback streaming ${TOKENS} tokens ${TOKEN_GAP_MS} ms apart; first token = request sent → first content chunk received; ${SEQUENTIAL} sequential runs of each path, interleaved so load hits all alike; server in-process`,
      first_token: {
        direct_provider: d,
        sse: s,
        websocket: w,
        added_ms_p50: { sse: r3(s.p50_ms - d.p50_ms), websocket: r3(w.p50_ms - d.p50_ms) },
        ratio_p50: { sse: r3(s.p50_ms / d.p50_ms), websocket: r3(w.p50_ms / d.p50_ms) },
        ratio_p99: { sse: r3(s.p99_ms / d.p99_ms), websocket: r3(w.p99_ms / d.p99_ms) },
      },
      concurrent_websocket: {
        chats: CONCURRENT,
        tokens_each: TOKENS,
        all_completed: true,
        none_interleaved: true,
        wall_seconds: r3(wallMs / 1000),
        first_token: stats(chats.map((c) => c.firstTokenMs)),
        completion: stats(chats.map((c) => c.doneMs)),
        rss_mb_before: Math.round(rssBefore / 1048576),
        rss_mb_after: Math.round(rssAfter / 1048576),
        note: 'RSS of the benchmark process, which also runs the server, the fake provider and 100 clients',
      },
    };
  } finally {
    await server?.close();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runChatBench();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
