import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { ToolSet } from 'ai';
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { runAgent } from '../../src/chat/agent.js';
import type { AgentEvent } from '../../src/chat/agent-events.js';
import { TurnStart } from '../../src/chat/turn-start.js';

const usage = { inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 2, text: 2, reasoning: undefined } };

/** A model that answers at once: a tool call on the first request, text on the second. */
function fastModel() {
  const requests: number[] = [];
  const parts: LanguageModelV3StreamPart[][] = [
    [
      { type: 'tool-call', toolCallId: 'c1', toolName: 'probe', input: '{}' },
      { type: 'finish', finishReason: { unified: 'tool-calls', raw: undefined }, usage },
    ],
    [
      { type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'done' }, { type: 'text-end', id: 't' },
      { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage },
    ],
  ];
  const model = new MockLanguageModelV3({
    doStream: async () => {
      requests.push(requests.length);
      return { stream: simulateReadableStream({ chunks: parts[Math.min(requests.length - 1, 1)]!, initialDelayInMs: null, chunkDelayInMs: null }) };
    },
  });
  return { model, requests };
}

function probeTools(execute: () => Promise<string>): ToolSet {
  return { probe: { description: 'probe', inputSchema: z.object({}), execute } } as unknown as ToolSet;
}

/** Lets the event loop run a few rounds (I/O, timers, immediates). */
const turnsOfTheLoop = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 1));
};

function run(model: MockLanguageModelV3, tools: ToolSet, ready: Promise<void>) {
  return runAgent({
    model, providerName: 'openai', system: 'test', messages: [{ role: 'user', content: 'hi' }], tools,
    maxSteps: 3, signal: new AbortController().signal, idleTimeoutMs: 10_000, maxRetries: 0, ready,
  })[Symbol.asyncIterator]();
}

describe('runAgent `ready`: the request goes out at once, the answer and tools wait for the user message on disk', () => {
  it('a tool call that comes back before the message is durable waits: nothing is yielded and the tool does not run until `ready`', async () => {
    const { model, requests } = fastModel();
    const execute = vi.fn(async () => 'probed');
    let durable!: () => void;
    const ready = new Promise<void>((r) => (durable = r));
    const events = run(model, probeTools(execute), ready);
    let yielded = false;
    const first = events.next().then((r) => {
      yielded = true;
      return r;
    });
    await vi.waitFor(() => expect(requests).toHaveLength(1)); // the model is asked before the message is durable
    await turnsOfTheLoop(); // its answer (a tool call) is back
    expect(execute).not.toHaveBeenCalled();
    expect(yielded).toBe(false);

    durable();
    const seen: AgentEvent[] = [];
    for (let r = await first; !r.done; r = await events.next()) seen.push(r.value);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(seen.map((e) => e.type)).toEqual(['tool_start', 'tool_result', 'text', 'usage']);
  });

  it('a message that could not be stored: the run ends without yielding anything and the tool never runs', async () => {
    const { model } = fastModel();
    const execute = vi.fn(async () => 'probed');
    const failed = Promise.reject(new Error('SQLITE_FULL'));
    failed.catch(() => undefined); // the chat service awaits it as soon as it is made
    const events = run(model, probeTools(execute), failed);
    expect(await events.next()).toEqual({ done: true, value: undefined });
    await turnsOfTheLoop();
    expect(execute).not.toHaveBeenCalled();
  });
});

describe('TurnStart', () => {
  it('stores once; `started` only after the write is on disk, also when the write finishes asynchronously', async () => {
    const log: string[] = [];
    let synced!: () => void;
    const start = new TurnStart(() => {
      log.push('commit');
      return new Promise<void>((r) => (synced = () => {
        log.push('fsync');
        r();
      }));
    }, () => log.push('started'));
    const a = start.afterDispatch();
    expect(log).toEqual([]); // not before the request had its turn of the event loop
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['commit']);
    const b = start.now();
    synced();
    await Promise.all([a, b]);
    expect(log).toEqual(['commit', 'fsync', 'started']);
  });

  it('a failed write: every caller gets the error and `started` is never reported', async () => {
    const started = vi.fn();
    const start = new TurnStart(() => {
      throw new Error('disk full');
    }, started);
    await expect(start.afterDispatch()).rejects.toThrow('disk full');
    await expect(start.now()).rejects.toThrow('disk full');
    expect(started).not.toHaveBeenCalled();
  });
});
