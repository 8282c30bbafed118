import type { LanguageModel, ModelMessage, ToolSet } from 'ai';
import { unwrapToolOutput } from '../security/injection/scanner.js';
import { mcpServerOf, unknownToolRepair } from '../tools/registry.js';
import type { AgentEvent } from './agent-events.js';

/**
 * The AI SDK, loaded on the first turn (or when a chat client connects, see ChatService.warmUp),
 * not at start-up: it is the heaviest import of the server (bench/README.md, Footprint). Node
 * caches the modules, so later turns pay nothing.
 */
export function loadAgentModules() {
  return Promise.all([import('ai'), import('../models/provider-errors.js')]);
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
  const [{ stepCountIs, streamText }, { describeProviderError, providerDisplayName }] = await loadAgentModules();
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
      tools: run.tools,
      stopWhen: stepCountIs(run.maxSteps),
      abortSignal: signal,
      maxRetries: run.maxRetries,
      // The default prints the error with its stack to the console; we report it as an event.
      onError: () => {},
      // A call to a tool that was not offered goes through the tool gate: refused, audited, and the model told.
      experimental_repairToolCall: unknownToolRepair(run.tools),
    });
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
