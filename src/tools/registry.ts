import type { Tool, ToolCallRepairFunction, ToolSet } from 'ai';
import { wrapToolOutput } from '../security/injection/scanner.js';
import { ToolRefusedError, type ToolCall, type ToolContext, type ToolDefinition, type ToolGate } from './types.js';

/** Tool output the model sees at most; the rest is cut with a note (a 10 MB result must not reach it). */
export const MAX_TOOL_OUTPUT_CHARS = 50_000;
/** A tool that runs longer is stopped and reported as timed out (setting `tool_timeout_seconds`). */
export const TOOL_TIMEOUT_MS = 120_000;

/** Where a ToolSet keeps the handler for calls to tools it does not contain (see `unknownToolRepair`). */
const UNKNOWN_TOOL = Symbol('pocketpaw.unknownTool');
/** Where a ToolSet entry keeps the MCP server that provides the tool (see `mcpServerOf`). */
const MCP_SERVER = Symbol('pocketpaw.mcpServer');
type UnknownToolHandler = (name: string, args: unknown) => Promise<never>;

export function capOutput(text: string, max = MAX_TOOL_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n\n[Output truncated: ${text.length - max} more characters not shown]`;
}

/** Whether a tool's output is external content (see `ToolDefinition.untrustedOutput`). */
export function hasUntrustedOutput(def: ToolDefinition): boolean {
  return def.untrustedOutput ?? (def.group === 'shell' || def.group === 'web');
}

/**
 * What the model gets from a tool: the output capped, and, for tools whose output is external
 * content, scanned for prompt injection and always wrapped as untrusted data (the one place
 * this happens, so every such tool — MCP ones too — gets it by setting the flag).
 */
export function guardToolOutput(def: ToolDefinition, output: string, ctx: Pick<ToolContext, 'settings'>): string {
  const capped = capOutput(output);
  if (!hasUntrustedOutput(def)) return capped;
  return wrapToolOutput(def.name, capped, ctx.settings.injection_scan_enabled !== false).text;
}

/** Lets everything through: used until a policy gate is installed, and in tests of tools alone. */
export const openGate: ToolGate = {
  offered: (defs) => defs,
  before: async () => undefined,
  after: () => undefined,
};

/**
 * Tools that come and go while the server runs (an MCP server's, installed skills'): asked on
 * every turn, so a change takes effect from the next turn without a restart.
 */
export interface ToolSource {
  tools(): ToolDefinition[];
}

/** All tools the agent may use, and their conversion to the AI SDK's ToolSet for one turn. */
export class ToolRegistry {
  private readonly defs = new Map<string, ToolDefinition>();
  private readonly sources: ToolSource[] = [];

  register(...defs: ToolDefinition[]): this {
    for (const def of defs) {
      if (this.defs.has(def.name)) throw new Error(`Tool "${def.name}" is registered twice`);
      this.defs.set(def.name, def);
    }
    return this;
  }

  /** A source's tools whose names clash with a registered tool are left out (built-ins win). */
  addSource(source: ToolSource): this {
    this.sources.push(source);
    return this;
  }

  get(name: string): ToolDefinition | undefined {
    return this.defs.get(name) ?? this.all().find((d) => d.name === name);
  }

  all(): ToolDefinition[] {
    if (this.sources.length === 0) return [...this.defs.values()];
    const out = new Map(this.defs);
    for (const source of this.sources) {
      for (const def of source.tools()) if (!out.has(def.name)) out.set(def.name, def);
    }
    return [...out.values()];
  }

  /**
   * The tools offered this turn, each wrapped so the gate runs first, the call has a timeout and
   * the turn's abort signal, and the output is capped.
   */
  toolSet(ctx: ToolContext, gate: ToolGate): ToolSet {
    const set: ToolSet = {};
    for (const def of gate.offered(this.all(), ctx)) {
      // The SDK's `tool()` only returns its argument; the object itself keeps the AI SDK out of start-up (issue 14).
      set[def.name] = {
        description: def.description,
        inputSchema: def.parameters,
        execute: async (args: unknown) => runGated(def, { name: def.name, args }, ctx, gate),
      } as Tool;
      if (def.mcpServer) Object.defineProperty(set[def.name], MCP_SERVER, { value: def.mcpServer, enumerable: false });
    }
    // A call to a tool that was not offered (denied, or made up) never reaches an `execute`:
    // the agent loop hands it here, so the gate refuses and audits it like any other call.
    const unknown: UnknownToolHandler = (name, args) => refuseUnknown(this.get(name), { name, args }, ctx, gate);
    Object.defineProperty(set, UNKNOWN_TOOL, { value: unknown, enumerable: false });
    return set;
  }
}

/** The MCP server behind a tool of the set, for its tool_start / tool_result frames. */
export function mcpServerOf(tools: ToolSet, name: string): string | undefined {
  const entry = tools[name] as Record<symbol, unknown> | undefined;
  return typeof entry?.[MCP_SERVER] === 'string' ? entry[MCP_SERVER] as string : undefined;
}

/**
 * For `streamText`'s `experimental_repairToolCall`: a call to a tool not in the set goes
 * through the gate of the turn (which refuses and audits it); the model then reads the refusal
 * as the call's error. Other repairs (malformed arguments) are left to the SDK.
 */
export function unknownToolRepair(tools: ToolSet): ToolCallRepairFunction<ToolSet> | undefined {
  const handler = (tools as Record<symbol, unknown>)[UNKNOWN_TOOL] as UnknownToolHandler | undefined;
  if (!handler) return undefined;
  return async ({ toolCall, error }) => {
    // Loaded by now (the turn runs on the SDK); imported here so start-up does not load it.
    const { NoSuchToolError } = await import('ai');
    if (!NoSuchToolError.isInstance(error)) return null;
    let args: unknown = toolCall.input;
    try {
      args = JSON.parse(toolCall.input);
    } catch {
      // Shown as sent.
    }
    return handler(toolCall.toolName, args);
  };
}

async function refuseUnknown(def: ToolDefinition | undefined, call: ToolCall, ctx: ToolContext, gate: ToolGate): Promise<never> {
  const started = Date.now();
  let refusal: Error;
  try {
    await gate.before(call, def, ctx);
    refusal = new ToolRefusedError(`Tool "${call.name}" is not available in this conversation.`);
  } catch (err) {
    refusal = err instanceof Error ? err : new Error(String(err));
  }
  gate.after(call, { ok: false, result: refusal.message, ms: Date.now() - started, refused: true }, ctx);
  throw refusal;
}

async function runGated(def: ToolDefinition, call: ToolCall, ctx: ToolContext, gate: ToolGate): Promise<string> {
  const started = Date.now();
  try {
    await gate.before(call, def, ctx);
    const seconds = ctx.settings.tool_timeout_seconds ?? TOOL_TIMEOUT_MS / 1000;
    const timeout = AbortSignal.timeout(seconds * 1000);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    let onAbort: (() => void) | undefined;
    const result = await Promise.race([
      def.execute(call.args, { ...ctx, signal }),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(new Error(timeout.aborted ? `Tool "${def.name}" timed out after ${seconds} s and was stopped` : 'Stopped'));
        if (signal.aborted) onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]).finally(() => signal.removeEventListener('abort', onAbort!));
    const guarded = guardToolOutput(def, String(result), ctx);
    gate.after(call, { ok: true, result: guarded, ms: Date.now() - started }, ctx);
    return guarded;
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    gate.after(call, { ok: false, result: message, ms: Date.now() - started, refused: err instanceof ToolRefusedError }, ctx);
    throw err instanceof Error ? err : new Error(message);
  }
}
