import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { AuditEvent } from '../../src/audit/log.js';
import { unwrapToolOutput } from '../../src/security/injection/scanner.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply, type FakeResponse, type RecordedRequest } from '../helpers/fake-llm/index.js';
import type { TestServerOptions } from '../helpers/server.js';
import { connectChat, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

export { textReply, toolCallReply };

/** A real server whose model is the fake provider (OpenAI protocol), rate limits off. */
export function startToolServer(opts: TestServerOptions = {}): Promise<ChatTestEnv> {
  return startChatServer('openai', opts);
}

/** Applies settings through the API (they take effect from the next turn). */
export async function setSettings(env: ChatTestEnv, settings: Record<string, unknown>): Promise<void> {
  const res = await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings } });
  expect(res.status, res.text).toBe(200);
}

/** One model reply that calls several tools at once (they run in parallel). */
export function toolCallsReply(calls: { name: string; args: unknown }[]): FakeResponse {
  return { steps: calls.map((c) => ({ toolCall: c })) };
}

export interface ToolResultSeen {
  name: string;
  args: unknown;
  /** The tool's output with the untrusted-data wrapper removed (see `raw`). */
  content: string;
  /** Exactly what the model got: outputs of tools whose output is external content come wrapped. */
  raw: string;
}

/** The body of a tool output the registry wrapped as untrusted data (other text as is). */
export function stripUntrusted(text: string): string {
  return unwrapToolOutput(text);
}

/** The tool results a model request carries (OpenAI format), with the calls they answer. */
export function toolResults(req: RecordedRequest): ToolResultSeen[] {
  const messages = (req.body?.messages ?? []) as any[];
  const calls = new Map<string, { name: string; args: unknown }>();
  for (const m of messages) {
    for (const c of m.tool_calls ?? []) {
      let args: unknown = c.function?.arguments;
      try {
        args = JSON.parse(String(args));
      } catch {
        // as sent
      }
      calls.set(c.id, { name: c.function?.name, args });
    }
  }
  return messages.filter((m) => m.role === 'tool').map((m) => {
    const call = calls.get(m.tool_call_id);
    const raw = typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
    return { name: call?.name ?? '?', args: call?.args, content: unwrapToolOutput(raw), raw };
  });
}

/** The names of the tools offered in a model request. */
export function offeredTools(req: RecordedRequest): string[] {
  return ((req.body?.tools ?? []) as any[]).map((t) => t.function?.name as string).sort();
}

/** Runs one chat turn over a fresh WebSocket; resolves with its frames (through `stream_end`). */
export async function wsTurn(env: ChatTestEnv, message: string, sock?: ChatSocket): Promise<{ frames: WsFrame[]; sock: ChatSocket }> {
  const s = sock ?? (await connectChat(env.s.url));
  const from = s.frames.length;
  s.send({ action: 'chat', message });
  const frames = await s.turn(from, 20_000);
  if (!sock) s.close();
  return { frames, sock: s };
}

/**
 * Runs a turn in which the model calls `calls` (in parallel), then answers; returns the tool
 * results the model got back in its follow-up request.
 */
export async function runTools(env: ChatTestEnv, calls: { name: string; args: unknown }[], message = 'Do it'): Promise<{ results: ToolResultSeen[]; frames: WsFrame[]; requests: RecordedRequest[] }> {
  env.fake.reset();
  env.fake.enqueue(toolCallsReply(calls), textReply('Done.'));
  const { frames } = await wsTurn(env, message);
  const requests = await env.fake.waitForRequests(2);
  return { results: toolResults(requests[1]!), frames, requests };
}

/** Every line of audit.jsonl, parsed (throws on a line that is not JSON). */
export function auditLines(home: string): AuditEvent[] {
  const file = path.join(home, 'audit.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
}

/** Polls a condition until it holds (for effects outside the server: processes, files). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
