/**
 * What MCP costs (`npm run bench:mcp`): JSON on stdout, progress on stderr.
 *
 *   npx tsx bench/mcp.ts
 *   BENCH_MCP_RUNS=50 npx tsx bench/mcp.ts
 *
 * - `add_to_offered`: from `POST /api/v1/mcp/add` on a real server until the server's tool is
 *   in the tool registry (what the next turn offers), per transport: a stdio server (node, in
 *   the bubblewrap sandbox) and a Streamable HTTP server on 127.0.0.1.
 * - `call`: one tool call through our path (the registry's tool definition → manager → SDK
 *   client) against a call on a plain SDK client connected to the same server, interleaved run
 *   by run; `overhead_p50_ms` is the difference of the p50s. For stdio the direct client runs
 *   the server unconfined, so the difference includes bubblewrap's pipes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startServer } from '../src/server/start.js';
import type { ToolContext } from '../src/tools/types.js';
import { startStreamableServer } from '../test/helpers/mcp/http-servers.js';
import { tempDir } from '../test/helpers/pocketpaw-fixture.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const SCRIPT = path.join(REPO, 'test/helpers/mcp/stdio-server.mjs');
const RUNS = Number(process.env.BENCH_MCP_RUNS ?? 20);
const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 200);
const log = (msg: string) => process.stderr.write(`[bench:mcp] ${msg}\n`);

const round = (x: number) => Math.round(x * 100) / 100;
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, p50_ms: round(rank(0.5)), p90_ms: round(rank(0.9)), min_ms: round(s[0]!), max_ms: round(s.at(-1)!) };
}

async function main(): Promise<void> {
  const home = tempDir('pocketpaw-mcp-bench-');
  const remote = await startStreamableServer();
  const server = await startServer({ mode: 'api', host: '127.0.0.1', port: 0, env: { ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false' }, logLevel: 'silent' });
  const registry = server.ctx.tools.registry;
  const post = (p: string, body: unknown) => fetch(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const configs = {
    stdio: (name: string) => ({ name, transport: 'stdio', command: process.execPath, args: [SCRIPT], sandbox: { folders: [REPO] } }),
    streamable_http: (name: string) => ({ name, transport: 'streamable-http', url: remote.url }),
  };
  const tool = { stdio: 'echo', streamable_http: 'shout' } as const;
  const result: Record<string, unknown> = { runs: RUNS, calls: CALLS, node: process.version };
  try {
    // Time from add to offered.
    const addTimes: Record<string, number[]> = { stdio: [], streamable_http: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const kind of ['stdio', 'streamable_http'] as const) {
        const name = `b${kind === 'stdio' ? 's' : 'h'}${i}`;
        const want = `mcp__${name}__${tool[kind]}`;
        const t0 = performance.now();
        await post('/api/v1/mcp/add', configs[kind](name));
        while (!registry.all().some((d) => d.name === want)) await new Promise((r) => setImmediate(r));
        addTimes[kind]!.push(performance.now() - t0);
        await post('/api/v1/mcp/remove', { name });
      }
    }
    result.add_to_offered = Object.fromEntries(Object.entries(addTimes).map(([k, v]) => [k, stats(v)]));
    log(`add → offered: ${JSON.stringify(result.add_to_offered)}`);

    // Call overhead, interleaved with a direct SDK client.
    await post('/api/v1/mcp/add', configs.stdio('cs'));
    await post('/api/v1/mcp/add', configs.streamable_http('ch'));
    for (const want of ['mcp__cs__echo', 'mcp__ch__shout']) while (!registry.get(want)) await new Promise((r) => setTimeout(r, 10));
    const direct = {
      stdio: new Client({ name: 'bench', version: '1' }),
      streamable_http: new Client({ name: 'bench', version: '1' }),
    };
    await direct.stdio.connect(new StdioClientTransport({ command: process.execPath, args: [SCRIPT] }));
    await direct.streamable_http.connect(new StreamableHTTPClientTransport(new URL(remote.url)));
    // A fresh signal per call, as the registry gives each call its own (turn signal + timeout).
    const ctx = () => ({ signal: new AbortController().signal }) as ToolContext;
    const ours = { stdio: registry.get('mcp__cs__echo')!, streamable_http: registry.get('mcp__ch__shout')! };
    const calls: Record<string, { ours: number[]; direct: number[] }> = { stdio: { ours: [], direct: [] }, streamable_http: { ours: [], direct: [] } };
    for (let i = 0; i < CALLS + 10; i++) {
      for (const kind of ['stdio', 'streamable_http'] as const) {
        const args = { text: `run ${i}` };
        let t0 = performance.now();
        await ours[kind].execute(args, ctx());
        const a = performance.now() - t0;
        t0 = performance.now();
        await direct[kind].callTool({ name: tool[kind], arguments: args });
        const b = performance.now() - t0;
        if (i >= 10) {
          calls[kind]!.ours.push(a);
          calls[kind]!.direct.push(b);
        }
      }
    }
    await Promise.all([direct.stdio.close(), direct.streamable_http.close()]);
    result.call = Object.fromEntries(Object.entries(calls).map(([k, v]) => {
      const o = stats(v.ours);
      const d = stats(v.direct);
      return [k, { ours: o, direct_sdk: d, overhead_p50_ms: round(o.p50_ms - d.p50_ms) }];
    }));
    log(`calls: ${JSON.stringify(result.call)}`);
  } finally {
    await server.close();
    await remote.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(`${home}-workspace`, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
