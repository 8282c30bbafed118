import type { StreamEncoder, ToolCallSpec } from './exchange.js';
import type { ProviderProtocol, ResponseContext } from './protocol.js';
import { argsToObject } from './script.js';

/** Ollama native chat (`POST /api/chat`): NDJSON stream, `stream` defaults to true. */

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

function toolCallsOf(calls: ToolCallSpec[]) {
  // Ollama sends arguments as an object and (in the versions we target) no call id.
  return calls.map((c) => ({ function: { name: c.name, arguments: argsToObject(c.args) } }));
}

function doneStats(ctx: ResponseContext) {
  return {
    done: true,
    done_reason: 'stop',
    total_duration: 1_000_000 + ctx.usage.output * 10_000,
    load_duration: 100_000,
    prompt_eval_count: ctx.usage.input,
    prompt_eval_duration: ctx.usage.input * 1_000,
    eval_count: ctx.usage.output,
    eval_duration: ctx.usage.output * 10_000,
  };
}

function encoder(ctx: ResponseContext): StreamEncoder {
  const chunk = (message: Record<string, unknown>): string =>
    line({
      model: ctx.model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: '', ...message },
      done: false,
    });
  const modelJson = JSON.stringify(ctx.model);
  return {
    start: () => '',
    // Hand-built JSON (the hot path), identical to chunk({ content }).
    text: (content) =>
      `{"model":${modelJson},"created_at":"${new Date().toISOString()}","message":{"role":"assistant","content":${JSON.stringify(content)}},"done":false}\n`,
    reasoning: (thinking) => chunk({ thinking }),
    toolCall: (call) => chunk({ tool_calls: toolCallsOf([call]) }),
    garbage: (raw) => `${raw}\n`,
    error: (message) => line({ error: message }),
    finish: () =>
      line({
        model: ctx.model,
        created_at: new Date().toISOString(),
        message: { role: 'assistant', content: '' },
        ...doneStats(ctx),
      }),
  };
}

export const ollamaProtocol: ProviderProtocol = {
  provider: 'ollama',
  isStream: (body) => body?.stream !== false,
  streamHeaders: { 'content-type': 'application/x-ndjson' },
  httpError: (_status, message) => ({ error: message }),
  nonStreamErrorStatus: 500,
  encoder,
  completion: (ctx, output) => {
    const message: Record<string, unknown> = { role: 'assistant', content: output.text };
    if (output.reasoning !== '') message.thinking = output.reasoning;
    if (output.toolCalls.length > 0) message.tool_calls = toolCallsOf(output.toolCalls);
    return { model: ctx.model, created_at: new Date().toISOString(), message, ...doneStats(ctx) };
  },
};
