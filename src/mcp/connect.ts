import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ProgramSpec } from '../tools/sandbox/sandbox.js';
import type { CommandSpec } from '../tools/sandbox/sandbox.js';
import { commandEnv } from '../tools/sandbox/env.js';
import { isInside } from '../tools/fs/jail.js';
import type { StoredServer } from './config.js';
import type { McpOAuth } from './types.js';

/**
 * One connection to one MCP server, over any transport. The SDK is imported here, lazily: an
 * app with no MCP servers never loads it (start-up time).
 */

export interface RemoteTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface Connection {
  tools: RemoteTool[];
  /** The stdio server's process (its group leader: bwrap, or the program when unconfined). */
  pid?: number;
  call(tool: string, args: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<CallToolResult>;
  /** Told once when the connection ends by itself (crash, network), with why. Not after `close()`. */
  onLost(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

export interface ConnectDeps {
  home: string;
  /** The agent's workspace (real path): a stdio server's working folder. */
  workspace: () => string;
  sandbox: {
    prepareProgram(spec: ProgramSpec): Promise<CommandSpec | null>;
    detect(): Promise<{ available: boolean; reason: string }>;
  };
  /** The server's environment: the allowlisted parts go to unconfined servers. */
  env: NodeJS.ProcessEnv;
  oauth?: McpOAuth;
}

const CLIENT_INFO = { name: 'pocketpaw', version: '0.1.0' };

/** Connects and lists the server's tools, within the server's `timeout`. */
export async function connectServer(config: StoredServer, deps: ConnectDeps): Promise<Connection> {
  const timeoutMs = config.timeout * 1000;
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  if (config.transport === 'stdio') {
    const launch = await stdioLaunch(config, deps);
    const { GroupStdioTransport } = await import('./stdio-transport.js');
    const transport = new GroupStdioTransport(launch);
    try {
      return await open(new Client(CLIENT_INFO), transport, timeoutMs, () => transport.pid);
    } catch (err) {
      await transport.close();
      const tail = transport.stderrTail();
      throw new Error(`${(err as Error).message}${tail ? ` — server said: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`);
    }
  }
  const url = new URL(config.url);
  const authProvider = config.oauth ? deps.oauth?.providerFor(config) : undefined;
  // An OAuth server's transport follows urls its metadata names: the OAuth module's fetch refuses PocketPaw itself.
  const fetch = config.oauth ? deps.oauth?.fetch : undefined;
  const opts = { authProvider, ...(fetch ? { fetch } : {}) };
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  if (config.transport === 'streamable-http') {
    return open(new Client(CLIENT_INFO), new StreamableHTTPClientTransport(url, opts), timeoutMs);
  }
  // `http`, as PocketPaw: Streamable HTTP first (what newer servers speak), then the legacy HTTP+SSE transport.
  try {
    return await open(new Client(CLIENT_INFO), new StreamableHTTPClientTransport(url, opts), timeoutMs);
  } catch (first) {
    const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
    try {
      return await open(new Client(CLIENT_INFO), new SSEClientTransport(url, opts), timeoutMs);
    } catch (second) {
      throw new Error(`${(second as Error).message} (Streamable HTTP: ${(first as Error).message})`);
    }
  }
}

async function open(client: Client, transport: Transport, timeoutMs: number, pid?: () => number | undefined): Promise<Connection> {
  let closing = false;
  let lost: ((reason: string) => void) | undefined;
  let lastError = '';
  let reported = false;
  const report = (reason: string) => {
    if (closing || reported) return;
    reported = true;
    lost?.(reason);
  };
  client.onerror = (err) => {
    lastError = err.message;
  };
  client.onclose = () => report(lastError ? `The connection closed: ${lastError}` : 'The server closed the connection');
  const deadline = withTimeout(timeoutMs, 'Connecting');
  try {
    await Promise.race([client.connect(transport, { timeout: timeoutMs }), deadline.promise]);
    const tools: RemoteTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await Promise.race([client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs }), deadline.promise]);
      for (const t of page.tools) tools.push({ name: t.name, description: t.description ?? '', inputSchema: t.inputSchema as Record<string, unknown> });
      cursor = page.nextCursor;
    } while (cursor && tools.length < 10_000);
    return {
      tools,
      pid: pid?.(),
      call: (tool, args, o) => client.callTool({ name: tool, arguments: args }, undefined, { timeout: o.timeoutMs, signal: o.signal }) as Promise<CallToolResult>,
      onLost: (listener) => {
        lost = listener;
      },
      close: async () => {
        closing = true;
        await client.close().catch(() => undefined);
      },
    };
  } catch (err) {
    closing = true;
    await client.close().catch(() => undefined);
    throw err;
  } finally {
    deadline.clear();
  }
}

function withTimeout(ms: number, what: string): { promise: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  promise.catch(() => undefined);
  return { promise, clear: () => clearTimeout(timer) };
}

/** The folders a stdio server may use beyond the workspace: absolute, existing, away from the data dir. */
export function grantedFolders(config: StoredServer, home: string): string[] {
  const out: string[] = [];
  const homeReal = realOr(home);
  for (const f of config.sandbox?.folders ?? []) {
    if (!path.isAbsolute(f)) throw new Error(`sandbox folder "${f}" must be an absolute path`);
    let real: string;
    try {
      real = fs.realpathSync(f);
    } catch {
      throw new Error(`sandbox folder "${f}" does not exist`);
    }
    if (isInside(real, homeReal) || isInside(homeReal, real)) throw new Error(`sandbox folder "${f}" holds or is inside the data dir (${home}), which servers never see`);
    out.push(real);
  }
  return out;
}

function realOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** How to start a stdio server: confined by bubblewrap, or unconfined only when the config opts out. */
async function stdioLaunch(config: StoredServer, deps: ConnectDeps): Promise<{ file: string; args: string[]; env: Record<string, string>; cwd: string }> {
  const workspace = deps.workspace();
  fs.mkdirSync(workspace, { recursive: true, mode: 0o700 });
  const cwd = fs.realpathSync(workspace);
  if (config.sandbox?.none === true) {
    // The owner's explicit choice (`"sandbox": {"none": true}`): still only the allowlisted environment.
    const env = { ...commandEnv(deps.env, { home: cwd, tmpdir: deps.env.TMPDIR || '/tmp' }), ...config.env };
    return { file: config.command, args: config.args, env, cwd };
  }
  const spec = await deps.sandbox.prepareProgram({
    command: config.command, args: config.args, env: config.env, workspace: cwd,
    folders: grantedFolders(config, deps.home), network: config.sandbox?.network === true,
  });
  if (!spec) {
    const d = await deps.sandbox.detect();
    throw new Error(`Not started: stdio servers run confined and the sandbox is unavailable (${d.reason}). `
      + `Install bubblewrap, or set "sandbox": {"none": true} on '${config.name}' in mcp_servers.json to run it unconfined.`);
  }
  return { file: spec.file, args: spec.args, env: spec.env, cwd };
}
