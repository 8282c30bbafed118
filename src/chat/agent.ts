import type { LanguageModel, ModelMessage, ToolSet } from 'ai';
import { unwrapToolOutput } from '../security/injection/scanner.js';
import { mcpServerOf, unknownToolRepair } from '../tools/registry.js';
import type { AgentEvent } from './agent-events.js';

type AgentModules = [typeof import('ai'), typeof import('../models/provider-errors.js')];
let agentModules: Promise<AgentModules> | undefined;

/**
 * The AI SDK, loaded on the first turn (or when a chat client connects, see ChatService.warmUp),
 * not at start-up: it is the heaviest import of the server (bench/README.md, Footprint). The
 * promise is kept: a repeated `import()` of a loaded module still goes through the module
 * loader (and its hooks under tsx, ~1 ms a turn). A failed load is tried again next time.
 */
export function loadAgentModules(): Promise<AgentModules> {
  agentModules ??= Promise.all([import('ai'), import('../models/provider-errors.js')]).catch((err: unknown) => {
    agentModules = undefined;
    throw err;
  });
  return agentModules;
}

/** Each tool parameter schema in the SDK's form, its JSON schema converted once (see `prepareTools`). */
const sdkSchemas = new WeakMap<object, unknown>();

/**
 * The turn's tool set, changed in place (it is built for this turn; its hidden markers, the MCP
 * server and the unknown-tool handler, stay):
 * - each zod parameter schema is replaced by a cached SDK schema. The SDK converts a zod schema
 *   to JSON schema on every request (zod's toJSONSchema, ~0.1 ms per tool: several ms a turn
 *   before the provider is asked); its own `zodSchema()` wrapper converts once and keeps the
 *   result, so one wrapper per schema object serves every turn;
 * - each tool waits for `ready` before it runs (see AgentRun.ready).
 */
function prepareTools(tools: ToolSet, zodSchema: typeof import('ai').zodSchema, ready: Promise<void> | undefined): ToolSet {
  for (const entry of Object.values(tools) as Array<{ inputSchema?: unknown; execute?: (...args: never[]) => unknown }>) {
    const schema = entry.inputSchema;
    if (schema && typeof schema === 'object' && '_zod' in schema) { // else already an SDK schema (MCP tools)
      let cached = sdkSchemas.get(schema);
      if (!cached) {
        cached = zodSchema(schema as Parameters<typeof zodSchema>[0]);
        sdkSchemas.set(schema, cached);
      }
      entry.inputSchema = cached;
    }
    if (entry.execute) entry.execute = afterReady(entry.execute, ready);
  }
  return tools;
}

/** `fn`, run only once `ready` has resolved: a tool's execute, and the repair hook (a call to a tool not offered goes through the gate, which audits it). */
function afterReady<F extends (...args: never[]) => unknown>(fn: F | undefined, ready: Promise<void> | undefined): F | undefined {
  if (!fn || !ready) return fn;
  return (async (...args: never[]) => {
    await ready;
    return fn(...args);
  }) as F;
}

export interface AgentRun {
  model: LanguageModel;
  providerName: string;
  system: string;
  messages: ModelMessage[];
  tools: ToolSet;
  maxSteps: number;
  /** Aborted by the user (stop) or by shutdown. */
  signal: AbortSignal;
  /** Give up when the provider sends nothing for this long. */
  idleTimeoutMs: number;
  maxRetries: number;
  /**
   * Resolves once the turn's user message is on disk (ChatService: TurnStart). The request is
   * sent at once, but nothing is yielded and no tool runs before: an answer that came back
   * sooner waits. Rejected: the run ends without yielding anything (the caller reports why).
   */
  ready?: Promise<void>;
}

// The SDK prints provider warnings (e.g. unknown model ids) to the console; the server log is ours.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const TOOL_RESULT_PREVIEW = 200;

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Providers report mid-stream errors as the plain object of their error event
 * (`{message, type, code}`), which would print as "[object Object]".
 */
function asError(err: unknown): unknown {
  if (err instanceof Error || typeof err !== 'object' || err === null) return err;
  const o = err as { message?: unknown; error?: { message?: unknown } };
  const message = typeof o.message === 'string' ? o.message : typeof o.error?.message === 'string' ? o.error.message : undefined;
  return new Error(message ?? stringify(err));
}

/**
 * One agent turn on the AI SDK: streams text, reasoning, tool calls (multi-step) and usage as
 * AgentEvents. Never throws for provider trouble: errors, garbage and silence become one
 * `error` event, and the generator ends. Returns normally when aborted.
 */
export async function* runAgent(run: AgentRun): AsyncGenerator<AgentEvent> {
  const [{ stepCountIs, streamText, zodSchema }, { describeProviderError, providerDisplayName }] = await loadAgentModules();
  const tools = prepareTools(run.tools, zodSchema, run.ready);
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new Error('idle timeout')), run.idleTimeoutMs);
  };
  const signal = AbortSignal.any([run.signal, idle.signal]);
  // MCP tools name their server in the frames (ours, docs/api.md §3.10).
  const server = (name: string): { server?: string } => {
    const s = mcpServerOf(run.tools, name);
    return s ? { server: s } : {};
  };
  let failed = false;
  let thinking = false;
  const usage = { input_tokens: 0, output_tokens: 0 };
  let sawUsage = false;

  const fail = (err: unknown): AgentEvent => {
    failed = true;
    if (idle.signal.aborted && !run.signal.aborted) {
      return { type: 'error', message: `The ${providerDisplayName(run.providerName)} model stopped responding (nothing for ${Math.round(run.idleTimeoutMs / 1000)} s). Try again, or check that the provider is up.` };
    }
    return { type: 'error', message: describeProviderError(asError(err), run.providerName) };
  };

  arm();
  try {
    const result = streamText({
      model: run.model,
      system: run.system,
      messages: run.messages,
      tools,
      stopWhen: stepCountIs(run.maxSteps),
      abortSignal: signal,
      maxRetries: run.maxRetries,
      // The default prints the error with its stack to the console; we report it as an event.
      onError: () => {},
      // A call to a tool that was not offered goes through the tool gate: refused, audited, and the model told.
      experimental_repairToolCall: afterReady(unknownToolRepair(run.tools), run.ready),
    });
    // The request is on its way; nothing of the answer before the user's message is on disk.
    if (run.ready && !(await run.ready.then(() => true, () => false))) return;
    // Tools still running: the provider is not expected to send anything meanwhile (a shell
    // command, a plan waiting for approval), so the idle timer waits until they are done.
    const running = new Set<string>();
    for await (const part of result.fullStream) {
      if (part.type === 'tool-call' && !part.invalid && !part.providerExecuted) running.add(part.toolCallId);
      if (part.type === 'tool-result' || part.type === 'tool-error') running.delete(part.toolCallId);
      if (running.size) clearTimeout(timer);
      else arm();
      if (thinking && part.type !== 'reasoning-delta' && part.type !== 'reasoning-end') {
        thinking = false;
        yield { type: 'thinking_done' };
      }
      switch (part.type) {
        case 'text-delta':
          if (part.text) yield { type: 'text', delta: part.text };
          break;
        case 'reasoning-delta':
          if (part.text) {
            thinking = true;
            yield { type: 'thinking', delta: part.text };
          }
          break;
        case 'reasoning-end':
          if (thinking) yield { type: 'thinking_done' };
          thinking = false;
          break;
        case 'tool-call':
          yield { type: 'tool_start', name: part.toolName, params: part.input, ...server(part.toolName) };
          break;
        case 'tool-result':
          yield { type: 'tool_result', name: part.toolName, result: unwrapToolOutput(stringify(part.output)).slice(0, TOOL_RESULT_PREVIEW), status: 'success', ...server(part.toolName) };
          break;
        case 'tool-error':
          yield { type: 'tool_result', name: part.toolName, result: stringify((part.error as Error)?.message ?? part.error).slice(0, TOOL_RESULT_PREVIEW), status: 'error', ...server(part.toolName) };
          break;
        case 'finish-step':
          if (part.usage.inputTokens !== undefined || part.usage.outputTokens !== undefined) sawUsage = true;
          usage.input_tokens += part.usage.inputTokens ?? 0;
          usage.output_tokens += part.usage.outputTokens ?? 0;
          break;
        case 'error':
          if (!run.signal.aborted) yield fail(part.error);
          break;
        case 'abort':
          if (idle.signal.aborted && !run.signal.aborted) yield fail(new Error('idle timeout'));
          break;
        default:
          break;
      }
      if (failed) break;
    }
  } catch (err) {
    if (!run.signal.aborted && !failed) yield fail(err);
  } finally {
    clearTimeout(timer);
  }
  if (sawUsage && !failed) yield { type: 'usage', ...usage, total_tokens: usage.input_tokens + usage.output_tokens };
}
