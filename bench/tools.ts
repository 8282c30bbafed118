/**
 * Tool-call overhead of the agent loop (issue 5): how long the server takes from the provider's
 * tool-call chunk to the tool starting, and from the tool ending to the follow-up model
 * request — the time the loop itself adds around every tool call.
 *
 *   npx tsx bench/tools.ts                # JSON on stdout, progress on stderr
 *   BENCH_TOOL_TURNS=50 npx tsx bench/tools.ts
 *
 * A real server (in process) and the fake OpenAI-protocol provider; each turn is one WebSocket
 * chat in which the model calls one tool and then answers. Timestamps, all in this process
 * (performance.now): the fake sending the tool-call response (its responder runs right before
 * the bytes are written), the gate's audit entries `tool_use start` (just before `execute`) and
 * `tool_use success` (just after), and the fake receiving the follow-up request. Both gaps
 * include the loop's real work: HTTP streaming and parsing, the SDK's tool-call handling, the
 * policy gate (policy, audit append), frames to the sockets, and building the next request.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startServer } from '../src/server/start.js';
import { startFakeLlm, textReply, toolCallReply } from '../test/helpers/fake-llm/index.js';
import { expect, stats } from './http-timing.js';

const TURNS = Number(process.env.BENCH_TOOL_TURNS ?? 200);
const WARMUP = 20;
const log = (msg: string) => process.stderr.write(`[bench:tools] ${msg}\n`);

interface Marks {
  chunk?: number;
  start?: number;
  end?: number;
  followUp?: number;
}

async function main(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-tools-bench-'));
  const fake = await startFakeLlm();
  const server = await startServer({
    mode: 'api', host: '127.0.0.1', port: 0, logLevel: 'silent',
    env: {
      ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false', POCKETPAW_LLM_PROVIDER: 'openai',
      POCKETPAW_OPENAI_API_KEY: 'sk-bench', POCKETPAW_OPENAI_BASE_URL: fake.openaiBaseUrl, POCKETPAW_OPENAI_MODEL: 'gpt-bench',
      POCKETPAW_AUTO_TITLE_LLM: 'false', POCKETPAW_LLM_MAX_RETRIES: '0',
    },
  });
  let marks: Marks = {};
  const unsubscribe = server.ctx.bus.subscribe((frame) => {
    const e = (frame as { data?: { action?: string; status?: string } }).data;
    if (e?.action !== 'tool_use') return;
    if (e.status === 'start') marks.start = performance.now();
    if (e.status === 'success') marks.end = performance.now();
  });
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let onEnd: (() => void) | null = null;
  ws.on('message', (data) => {
    if ((JSON.parse(data.toString()) as { type: string }).type === 'stream_end') onEnd?.();
  });

  const cases = [
    { tool: 'current_time', args: { timezone: 'UTC' } },
    { tool: 'read_file', args: { path: 'bench.txt' } },
    { tool: 'shell', args: { command: 'true' } },
  ];
  fs.writeFileSync(path.join(`${home}-workspace`, 'bench.txt'), 'hello\n'.repeat(100));
  const results: Record<string, unknown> = {};
  try {
    for (const c of cases) {
      const toStart: number[] = [];
      const toFollowUp: number[] = [];
      const toolMs: number[] = [];
      log(`${c.tool}: ${WARMUP} warm-up + ${TURNS} turns`);
      for (let i = 0; i < WARMUP + TURNS; i++) {
        marks = {};
        fake.reset();
        fake.enqueue(
          () => {
            marks.chunk = performance.now();
            return toolCallReply(c.tool, c.args);
          },
          () => {
            marks.followUp = performance.now();
            return textReply('ok');
          },
        );
        const ended = new Promise<void>((resolve) => (onEnd = resolve));
        ws.send(JSON.stringify({ action: 'chat', message: `turn ${i}` }));
        await ended;
        const m = marks;
        expect(m.chunk && m.start && m.end && m.followUp, `turn ${i} of ${c.tool}: missing marks ${JSON.stringify(m)}`);
        if (i < WARMUP) continue;
        toStart.push(m.start! - m.chunk!);
        toFollowUp.push(m.followUp! - m.end!);
        toolMs.push(m.end! - m.start!);
      }
      results[c.tool] = {
        chunk_to_tool_start: stats(toStart),
        tool_end_to_follow_up_request: stats(toFollowUp),
        tool_execution: stats(toolMs),
      };
    }
  } finally {
    await unsubscribe();
    ws.close();
    await server.close();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(`${home}-workspace`, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({
    benchmark: 'tool-call overhead of the agent loop',
    turns_per_tool: TURNS,
    warmup_per_tool: WARMUP,
    machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    tools: results,
  }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
