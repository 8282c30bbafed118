import fs from 'node:fs';
import { configProblem, mcpConfigPath, parseServer, readMcpConfig, updateMcpConfig, type StoredServer } from './config.js';
import type { ConnectDeps, Connection, RemoteTool } from './connect.js';
import { resultText } from './results.js';
import { loadToolSchemas } from './tool-source.js';
import { backoffMs, newState, sameLaunch, STABLE_AFTER_MS, type ServerState } from './server-state.js';
import type { McpConnectResult, McpServerStatus, McpToolInfo } from './types.js';

export type McpManagerDeps = ConnectDeps & {
  /** Where start-up and crash messages go (the server log); silent when absent. */
  log?: (message: string) => void;
};

/** What `connectNow` and `test` answer (the shape of spec §3.10's `test` and `presets/install`). */
export type ConnectOutcome = McpConnectResult;

/** A connected server's tools, for the tool source. */
export interface ServerTools {
  server: string;
  timeoutSeconds: number;
  tools: RemoteTool[];
}

/**
 * The MCP servers of `mcp_servers.json`: one client per enabled server, connected in the
 * background (start-up never waits), restarted with backoff after a crash, stopped with the
 * app. The file is the truth: it is re-read (when it changed) on every turn and every status,
 * so edits from the CLI or by hand take effect from the next turn without a restart.
 */
export class McpManager {
  private readonly states = new Map<string, ServerState>();
  private stamp = '';
  private closed = false;
  /** Bumped whenever the set of connected tools changes (the tool source caches on it). */
  version = 0;

  constructor(private readonly deps: McpManagerDeps) {}

  /** Starts the enabled servers in the background. Loads nothing of the SDK when there are none. */
  start(): void {
    this.sync(true);
  }

  /** Re-reads the file when it changed and brings the running servers in line with it. */
  sync(force = false): void {
    if (this.closed) return;
    const stamp = fileStamp(mcpConfigPath(this.deps.home));
    if (!force && stamp === this.stamp) return;
    this.stamp = stamp;
    let servers: StoredServer[];
    try {
      const read = readMcpConfig(this.deps.home);
      servers = read.servers;
      for (const p of read.problems) this.deps.log?.(`MCP: ${p}`);
    } catch (err) {
      this.deps.log?.(`MCP: ${(err as Error).message}`);
      return;
    }
    const wanted = new Map(servers.map((s) => [s.name, s]));
    for (const [name, state] of this.states) {
      if (!wanted.has(name)) {
        void this.stop(state);
        this.states.delete(name);
      }
    }
    for (const config of servers) {
      const state = this.states.get(config.name);
      if (!state) {
        const fresh = newState(config);
        this.states.set(config.name, fresh);
        if (config.enabled) this.launch(fresh);
        continue;
      }
      const changed = !sameLaunch(state.config, config);
      const wasEnabled = state.config.enabled;
      state.config = config;
      if (!config.enabled) {
        void this.stop(state);
        state.error = '';
      } else if (changed || !wasEnabled) {
        void this.stop(state);
        state.error = '';
        this.launch(state);
      }
    }
  }

  /** Spec §3.10 `status`: every configured server. */
  status(): Record<string, McpServerStatus> {
    this.sync();
    const out: Record<string, McpServerStatus> = {};
    for (const [name, s] of this.states) {
      const connected = s.conn !== null;
      out[name] = {
        connected, tool_count: s.conn?.tools.length ?? 0, error: s.error, transport: s.config.transport, enabled: s.config.enabled,
        ...(s.conn ? { tools: toolInfos(s.conn.tools) } : {}),
        ...(s.connecting && !connected ? { connecting: true } : {}),
        ...(typeof s.config.registry_ref === 'string' ? { registry_ref: s.config.registry_ref } : {}),
      };
    }
    return out;
  }

  /** The connected servers' tools, in config order (asked every turn). */
  connectedTools(): ServerTools[] {
    this.sync();
    const out: ServerTools[] = [];
    for (const [server, s] of this.states) if (s.conn) out.push({ server, timeoutSeconds: s.config.timeout, tools: s.conn.tools });
    return out;
  }

  /** Saves a server (replacing one of the same name) and starts it when enabled, in the background. */
  add(input: unknown): StoredServer {
    const config = parseServer(input);
    updateMcpConfig(this.deps.home, (list) => {
      const i = list.findIndex((s) => s.name === config.name);
      if (i >= 0) list[i] = config;
      else list.push(config);
    });
    this.sync(true);
    return config;
  }

  /** Removes a server from the file and stops it; false when there is none of that name. */
  remove(name: string): boolean {
    const found = updateMcpConfig(this.deps.home, (list) => {
      const i = list.findIndex((s) => s.name === name);
      if (i >= 0) list.splice(i, 1);
      return i >= 0;
    });
    this.sync(true);
    return found;
  }

  /** Sets `enabled` in the file; null when there is no such server. */
  setEnabled(name: string, enabled: boolean): StoredServer | null {
    const found = updateMcpConfig(this.deps.home, (list) => {
      const s = list.find((x) => x.name === name);
      if (s) s.enabled = enabled;
      return s ?? null;
    });
    this.sync(true);
    return found;
  }

  /** Names of every configured server, in file order. */
  configured(): string[] {
    this.sync();
    return [...this.states.keys()];
  }

  /** The stdio server's process id (bwrap, or the program when unconfined), while connected. */
  pid(name: string): number | undefined {
    return this.states.get(name)?.conn?.pid;
  }

  isConnected(name: string): boolean {
    this.sync();
    return this.states.get(name)?.conn != null;
  }

  /** Waits for the server's connection (starting it if it is enabled and idle): its tools, or why not. */
  async connectNow(name: string): Promise<ConnectOutcome> {
    this.sync();
    const s = this.states.get(name);
    if (!s) return { connected: false, tools: [], error: `Server '${name}' not found` };
    if (!s.config.enabled) return { connected: false, tools: [], error: `Server '${name}' is disabled` };
    if (!s.conn && !s.connecting) this.launch(s);
    await s.connecting;
    return s.conn ? { connected: true, tools: toolInfos(s.conn.tools) } : { connected: false, tools: [], error: s.error };
  }

  /** Spec §3.10 `test`: connects a config (saved or not), lists its tools, disconnects. */
  async test(input: unknown): Promise<ConnectOutcome> {
    let conn: Connection | undefined;
    try {
      const config = parseServer(input);
      const problem = configProblem(config);
      if (problem) throw new Error(problem);
      const { connectServer } = await import('./connect.js');
      conn = await connectServer(config, this.deps);
      return { connected: true, tools: toolInfos(conn.tools) };
    } catch (err) {
      return { connected: false, tools: [], error: (err as Error).message };
    } finally {
      await conn?.close();
    }
  }

  /** Calls a tool; its timeout is the server's `timeout`. Throws with words for the model. */
  async call(server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const s = this.states.get(server);
    const conn = s?.conn;
    if (!s || !conn) throw new Error(`MCP server '${server}' is not connected${s?.error ? ` (${s.error})` : ''}`);
    let result;
    try {
      result = await conn.call(tool, args, { timeoutMs: s.config.timeout * 1000, signal });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (/timed out/i.test(message)) throw new Error(`MCP server '${server}' did not answer ${tool} within ${s.config.timeout} s (its timeout); the call was abandoned`);
      if (signal?.aborted) throw err;
      throw new Error(`MCP server '${server}' failed during ${tool}: ${message}`);
    }
    return resultText(result);
  }

  /** Stops every server (and their processes); nothing restarts afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const closing: Promise<void>[] = [];
    for (const s of this.states.values()) closing.push(this.stop(s));
    await Promise.allSettled(closing);
  }

  private launch(s: ServerState): void {
    if (this.closed) return;
    clearTimeout(s.retry ?? undefined);
    s.retry = null;
    const generation = ++s.generation;
    const config = s.config;
    const problem = configProblem(config);
    if (problem) {
      s.error = problem;
      return;
    }
    const attempt = (async () => {
      try {
        // The SDK loads with the first server: the MCP SDK (connect.js) and the AI SDK's schemas for its tools.
        const [{ connectServer }] = await Promise.all([import('./connect.js'), loadToolSchemas()]);
        const conn = await connectServer(config, this.deps);
        if (generation !== s.generation || this.closed) {
          await conn.close();
          return;
        }
        s.conn = conn;
        s.error = '';
        s.connectedAt = Date.now();
        this.version++;
        conn.onLost((reason) => this.lost(s, conn, reason));
        this.deps.log?.(`MCP: '${config.name}' connected (${conn.tools.length} tools)`);
      } catch (err) {
        if (generation !== s.generation) return;
        s.error = (err as Error).message;
        this.deps.log?.(`MCP: '${config.name}' failed to start: ${s.error}`);
        // Retried with backoff (a remote server may be down, a program not installed yet), except
        // where only the owner can help: a sandbox policy refusal, or a sign-in to finish (its
        // callback reconnects; retrying would open a new sign-in every time).
        const waitsForOwner = /^Not started:/.test(s.error) || (err as Error)?.constructor?.name === 'UnauthorizedError';
        if (!waitsForOwner) this.scheduleRestart(s, s.error);
      } finally {
        if (generation === s.generation) s.connecting = null;
      }
    })();
    s.connecting = attempt;
  }

  private lost(s: ServerState, conn: Connection, reason: string): void {
    if (s.conn !== conn || this.closed) return;
    s.conn = null;
    this.version++;
    void conn.close();
    if (Date.now() - s.connectedAt > STABLE_AFTER_MS) s.crashes = 0;
    this.scheduleRestart(s, reason);
  }

  private scheduleRestart(s: ServerState, reason: string): void {
    s.crashes++;
    const wait = backoffMs(s.crashes);
    s.error = `${reason}; restarting in ${wait / 1000} s (attempt ${s.crashes})`;
    this.deps.log?.(`MCP: '${s.config.name}' ${s.error}`);
    const generation = s.generation;
    s.retry = setTimeout(() => {
      s.retry = null;
      if (generation === s.generation && s.config.enabled && !this.closed) this.launch(s);
    }, wait);
    s.retry.unref();
  }

  private async stop(s: ServerState): Promise<void> {
    s.generation++;
    clearTimeout(s.retry ?? undefined);
    s.retry = null;
    s.connecting = null;
    s.crashes = 0;
    const conn = s.conn;
    s.conn = null;
    if (conn) {
      this.version++;
      await conn.close();
    }
  }
}

function toolInfos(tools: RemoteTool[]): McpToolInfo[] {
  return tools.map((t) => ({ name: t.name, description: t.description }));
}

function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
