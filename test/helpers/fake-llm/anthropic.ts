import { SSE_HEADERS, type StreamEncoder } from './exchange.js';
import type { ProviderProtocol, ResponseContext } from './protocol.js';
import { argsToJson, argsToObject, splitInto } from './script.js';

/** Anthropic Messages (`POST /v1/messages`), as parsed by @ai-sdk/anthropic. */

function errorTypeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function errorBody(status: number, message: string) {
  return { type: 'error', error: { type: errorTypeFor(status), message } };
}

function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function messageId(ctx: ResponseContext): string {
  return `msg_fake${ctx.seq}`;
}

function signature(ctx: ResponseContext, index: number): string {
  return Buffer.from(`fake-signature-${ctx.seq}-${index}`).toString('base64');
}

function encoder(ctx: ResponseContext): StreamEncoder {
  let open: { index: number; type: 'text' | 'thinking' } | undefined;
  let nextIndex = 0;
  const closeBlock = (): string => {
    if (!open) return '';
    let out = '';
    if (open.type === 'thinking') {
      out += event('content_block_delta', {
        index: open.index,
        delta: { type: 'signature_delta', signature: signature(ctx, open.index) },
      });
    }
    out += event('content_block_stop', { index: open.index });
    open = undefined;
    return out;
  };
  const ensureBlock = (type: 'text' | 'thinking'): string => {
    if (open?.type === type) return '';
    const out = closeBlock();
    open = { index: nextIndex++, type };
    const contentBlock = type === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '' };
    return out + event('content_block_start', { index: open.index, content_block: contentBlock });
  };
  return {
    start: () =>
      event('message_start', {
        message: {
          id: messageId(ctx),
          type: 'message',
          role: 'assistant',
          model: ctx.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: ctx.usage.input,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
          },
        },
      }) + event('ping', {}),
    // Hand-built JSON (the hot path), identical to event('content_block_delta', {index, delta: {type: 'text_delta', text}}).
    text: (text) => {
      const start = ensureBlock('text');
      return `${start}event: content_block_delta\ndata: {"type":"content_block_delta","index":${open!.index},"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}\n\n`;
    },
    reasoning: (thinking) =>
      ensureBlock('thinking') +
      event('content_block_delta', { index: open!.index, delta: { type: 'thinking_delta', thinking } }),
    toolCall: ({ id, name, args }) => {
      let out = closeBlock();
      const index = nextIndex++;
      out += event('content_block_start', { index, content_block: { type: 'tool_use', id, name, input: {} } });
      out += event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } });
      for (const piece of splitInto(argsToJson(args), 2)) {
        out += event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
      return out + event('content_block_stop', { index });
    },
    garbage: (raw) => `data: ${raw}\n\n`,
    error: (message) => event('error', { error: { type: 'overloaded_error', message } }),
    finish: () =>
      closeBlock() +
      event('message_delta', {
        delta: { stop_reason: ctx.hasToolCalls ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: ctx.usage.output },
      }) +
      event('message_stop', {}),
  };
}

export const anthropicProtocol: ProviderProtocol = {
  provider: 'anthropic',
  isStream: (body) => body?.stream === true,
  streamHeaders: SSE_HEADERS,
  httpError: errorBody,
  nonStreamErrorStatus: 529,
  encoder,
  completion: (ctx, output) => {
    const content: unknown[] = [];
    if (output.reasoning !== '') {
      content.push({ type: 'thinking', thinking: output.reasoning, signature: signature(ctx, 0) });
    }
    if (output.text !== '' || (output.reasoning === '' && output.toolCalls.length === 0)) {
      content.push({ type: 'text', text: output.text });
    }
    for (const c of output.toolCalls) {
      content.push({ type: 'tool_use', id: c.id, name: c.name, input: argsToObject(c.args) });
    }
    return {
      id: messageId(ctx),
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content,
      stop_reason: ctx.hasToolCalls ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: ctx.usage.input,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: ctx.usage.output,
      },
    };
  },
};
