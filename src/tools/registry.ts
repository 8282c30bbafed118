import { tool, type ToolSet } from 'ai';
import type { ToolCall, ToolContext, ToolDefinition, ToolGate } from './types.js';

/** Tool output the model sees at most; the rest is cut with a note (a 10 MB result must not reach it). */
export const MAX_TOOL_OUTPUT_CHARS = 50_000;
/** A tool that runs longer is stopped and reported as timed out. */
export const TOOL_TIMEOUT_MS = 120_000;

export function capOutput(text: string, max = MAX_TOOL_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n\n[Output truncated: ${text.length - max} more characters not shown]`;
}

/** Lets everything through: used until a policy gate is installed, and in tests of tools alone. */
export const openGate: ToolGate = {
  offered: (defs) => defs,
  before: async () => undefined,
  after: () => undefined,
};

/** All tools the agent may use, and their conversion to the AI SDK's ToolSet for one turn. */
export class ToolRegistry {
  private readonly defs = new Map<string, ToolDefinition>();

  register(...defs: ToolDefinition[]): this {
    for (const def of defs) {
      if (this.defs.has(def.name)) throw new Error(`Tool "${def.name}" is registered twice`);
      this.defs.set(def.name, def);
    }
    return this;
  }

  get(name: string): ToolDefinition | undefined {
    return this.defs.get(name);
  }

  all(): ToolDefinition[] {
    return [...this.defs.values()];
  }

  /**
   * The tools offered this turn, each wrapped so the gate runs first, the call has a timeout and
   * the turn's abort signal, and the output is capped.
   */
  toolSet(ctx: ToolContext, gate: ToolGate): ToolSet {
    const set: ToolSet = {};
    for (const def of gate.offered(this.all(), ctx)) {
      set[def.name] = tool({
        description: def.description,
        inputSchema: def.parameters,
        execute: async (args: unknown) => runGated(def, { name: def.name, args }, ctx, gate),
      });
    }
    return set;
  }
}

async function runGated(def: ToolDefinition, call: ToolCall, ctx: ToolContext, gate: ToolGate): Promise<string> {
  const started = Date.now();
  try {
    await gate.before(call, def, ctx);
    const timeout = AbortSignal.timeout(TOOL_TIMEOUT_MS);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const result = await Promise.race([
      def.execute(call.args, { ...ctx, signal }),
      new Promise<never>((_, reject) => {
        const fail = () => reject(new Error(timeout.aborted ? `Tool "${def.name}" timed out after ${TOOL_TIMEOUT_MS / 1000} s` : 'Stopped'));
        if (signal.aborted) fail();
        signal.addEventListener('abort', fail, { once: true });
      }),
    ]);
    const capped = capOutput(result);
    gate.after(call, { ok: true, result: capped, ms: Date.now() - started }, ctx);
    return capped;
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    gate.after(call, { ok: false, result: message, ms: Date.now() - started }, ctx);
    throw err instanceof Error ? err : new Error(message);
  }
}
