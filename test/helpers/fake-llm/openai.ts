import { SSE_HEADERS, type StreamEncoder } from './exchange.js';
import type { ProviderProtocol, ResponseContext } from './protocol.js';
import { argsToJson, splitInto } from './script.js';

/** OpenAI Chat Completions (`POST /v1/chat/completions`), as parsed by @ai-sdk/openai and openai-compatible. */

function errorTypeFor(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'invalid_request_error', code: 'permission_denied' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: 'server_error' };
  return { type: 'invalid_request_error', code: null };
}

function errorBody(status: number, message: string) {
  return { error: { message, ...errorTypeFor(status), param: null } };
}

function usageOf(ctx: ResponseContext) {
  return {
    prompt_tokens: ctx.usage.input,
    completion_tokens: ctx.usage.output,
    total_tokens: ctx.usage.input + ctx.usage.output,
  };
}

function sse(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

function encoder(ctx: ResponseContext): StreamEncoder {
  const base = {
    id: `chatcmpl-fake${ctx.seq}`,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: 'fp_fake',
  };
  let roleSent = false;
  let toolIndex = 0;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string => {
    const d = roleSent ? delta : { role: 'assistant', ...delta };
    roleSent = true;
    return sse({ ...base, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }] });
  };
  // Fast path for the hot case (a text delta after the first chunk): same JSON as `chunk`.
  const textPrefix = `data: ${JSON.stringify(base).slice(0, -1)},"choices":[{"index":0,"delta":{"content":`;
  const textSuffix = '},"logprobs":null,"finish_reason":null}]}\n\n';
  return {
    start: () => '',
    text: (delta) => (roleSent ? textPrefix + JSON.stringify(delta) + textSuffix : chunk({ content: delta })),
    reasoning: (delta) => chunk({ reasoning_content: delta }),
    toolCall: ({ id, name, args }) => {
      const index = toolIndex++;
      // First chunk carries id + name with empty arguments; the JSON follows in pieces, like OpenAI.
      let out = chunk({
        tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }],
      });
      for (const piece of splitInto(argsToJson(args), 2)) {
        out += chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
      }
      return out;
    },
    garbage: (raw) => `data: ${raw}\n\n`,
    error: (message) => sse({ error: { message, type: 'server_error', param: null, code: 'server_error' } }),
    finish: () => {
      let out = roleSent ? '' : chunk({ content: '' });
      out += chunk({}, ctx.hasToolCalls ? 'tool_calls' : 'stop');
      if (ctx.body?.stream_options?.include_usage === true) {
        out += sse({ ...base, choices: [], usage: usageOf(ctx) });
      }
      return out + 'data: [DONE]\n\n';
    },
  };
}

export const openaiProtocol: ProviderProtocol = {
  provider: 'openai',
  isStream: (body) => body?.stream === true,
  streamHeaders: SSE_HEADERS,
  httpError: errorBody,
  nonStreamErrorStatus: 500,
  encoder,
  completion: (ctx, output) => {
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: output.text === '' && output.toolCalls.length > 0 ? null : output.text,
      refusal: null,
    };
    if (output.reasoning !== '') message.reasoning_content = output.reasoning;
    if (output.toolCalls.length > 0) {
      message.tool_calls = output.toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: argsToJson(c.args) },
      }));
    }
    return {
      id: `chatcmpl-fake${ctx.seq}`,
      object: 'chat.completion',
      created: ctx.created,
      model: ctx.model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, message, logprobs: null, finish_reason: ctx.hasToolCalls ? 'tool_calls' : 'stop' }],
      usage: usageOf(ctx),
    };
  },
};
