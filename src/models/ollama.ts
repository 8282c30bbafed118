import crypto from 'node:crypto';
import type {
  LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Content, LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult, LanguageModelV3Prompt, LanguageModelV3StreamPart, LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';

/**
 * A language model over Ollama's native `/api/chat` (NDJSON streaming), so PocketPaw talks to
 * a local Ollama without its OpenAI shim and gets thinking and tool calls as Ollama sends them.
 */
interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  tool_calls?: Array<{ function: { name: string; arguments: unknown } }>;
  tool_name?: string;
}

interface OllamaChunk {
  message?: { content?: string; thinking?: string; tool_calls?: Array<{ function?: { name?: string; arguments?: unknown } }> };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

export class OllamaError extends Error {}

function toOllamaMessages(prompt: LanguageModelV3Prompt): OllamaMessage[] {
  const out: OllamaMessage[] = [];
  for (const m of prompt) {
    if (m.role === 'system') out.push({ role: 'system', content: m.content });
    else if (m.role === 'user') {
      const images = m.content.flatMap((p) =>
        p.type === 'file' && p.mediaType.startsWith('image/') && typeof p.data === 'string' ? [p.data] : []);
      out.push({ role: 'user', content: m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''), ...(images.length ? { images } : {}) });
    } else if (m.role === 'assistant') {
      const calls = m.content.flatMap((p) => (p.type === 'tool-call' ? [{ function: { name: p.toolName, arguments: p.input } }] : []));
      out.push({ role: 'assistant', content: m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''), ...(calls.length ? { tool_calls: calls } : {}) });
    } else {
      for (const p of m.content) {
        if (p.type !== 'tool-result') continue;
        const o = p.output;
        const text = o.type === 'text' || o.type === 'error-text' ? o.value : JSON.stringify('value' in o ? o.value : o);
        out.push({ role: 'tool', content: text, tool_name: p.toolName });
      }
    }
  }
  return out;
}

function usageOf(c: OllamaChunk): LanguageModelV3Usage {
  return {
    inputTokens: { total: c.prompt_eval_count, noCache: c.prompt_eval_count, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: c.eval_count, text: c.eval_count, reasoning: undefined },
  };
}

function finishReason(c: OllamaChunk, sawToolCall: boolean): LanguageModelV3FinishReason {
  if (sawToolCall) return { unified: 'tool-calls', raw: c.done_reason };
  return { unified: c.done_reason === 'length' ? 'length' : 'stop', raw: c.done_reason };
}

export class OllamaChatModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3' as const;
  readonly provider = 'ollama';
  readonly supportedUrls = {};

  constructor(readonly modelId: string, private readonly host: string) {}

  private body(options: LanguageModelV3CallOptions, stream: boolean) {
    const tools = options.tools?.flatMap((t) =>
      t.type === 'function' ? [{ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.inputSchema } }] : []);
    return {
      model: this.modelId,
      messages: toOllamaMessages(options.prompt),
      stream,
      ...(tools?.length ? { tools } : {}),
      options: {
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.maxOutputTokens !== undefined ? { num_predict: options.maxOutputTokens } : {}),
      },
    };
  }

  private async post(options: LanguageModelV3CallOptions, stream: boolean): Promise<Response> {
    const url = `${this.host.replace(/\/+$/, '')}/api/chat`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.body(options, stream)),
        signal: options.abortSignal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new OllamaError(`Cannot reach Ollama at ${this.host}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let message = text;
      try { message = (JSON.parse(text) as { error?: string }).error ?? text; } catch { /* plain text error */ }
      throw new OllamaError(`Ollama answered ${res.status}: ${message || res.statusText}`);
    }
    return res;
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const res = await this.post(options, false);
    const chunk = (await res.json()) as OllamaChunk;
    if (chunk.error) throw new OllamaError(chunk.error);
    const content: LanguageModelV3Content[] = [];
    if (chunk.message?.thinking) content.push({ type: 'reasoning', text: chunk.message.thinking });
    if (chunk.message?.content) content.push({ type: 'text', text: chunk.message.content });
    const calls = chunk.message?.tool_calls ?? [];
    for (const call of calls) {
      content.push({ type: 'tool-call', toolCallId: `call_${crypto.randomUUID()}`, toolName: call.function?.name ?? '', input: JSON.stringify(call.function?.arguments ?? {}) });
    }
    return { content, finishReason: finishReason(chunk, calls.length > 0), usage: usageOf(chunk), warnings: [] };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const res = await this.post(options, true);
    if (!res.body) throw new OllamaError('Ollama sent no response body');
    const lines = guardBody(res.body, this.host, options.abortSignal).pipeThrough(new TextDecoderStream()).pipeThrough(splitLines());
    let textOpen = false;
    let reasoningOpen = false;
    let sawToolCall = false;
    let finished = false;
    const stream = lines.pipeThrough(new TransformStream<string, LanguageModelV3StreamPart>({
      start(controller) {
        controller.enqueue({ type: 'stream-start', warnings: [] });
      },
      transform(line, controller) {
        if (!line.trim() || finished) return;
        let chunk: OllamaChunk;
        try {
          chunk = JSON.parse(line) as OllamaChunk;
        } catch {
          controller.enqueue({ type: 'error', error: new OllamaError(`Ollama sent an unreadable stream line: ${line.slice(0, 80)}`) });
          return;
        }
        if (chunk.error) {
          controller.enqueue({ type: 'error', error: new OllamaError(chunk.error) });
          return;
        }
        const thinking = chunk.message?.thinking;
        if (thinking) {
          if (!reasoningOpen) controller.enqueue({ type: 'reasoning-start', id: 'r0' });
          reasoningOpen = true;
          controller.enqueue({ type: 'reasoning-delta', id: 'r0', delta: thinking });
        }
        const text = chunk.message?.content;
        if (text) {
          if (reasoningOpen) controller.enqueue({ type: 'reasoning-end', id: 'r0' });
          reasoningOpen = false;
          if (!textOpen) controller.enqueue({ type: 'text-start', id: 't0' });
          textOpen = true;
          controller.enqueue({ type: 'text-delta', id: 't0', delta: text });
        }
        for (const call of chunk.message?.tool_calls ?? []) {
          sawToolCall = true;
          controller.enqueue({ type: 'tool-call', toolCallId: `call_${crypto.randomUUID()}`, toolName: call.function?.name ?? '', input: JSON.stringify(call.function?.arguments ?? {}) });
        }
        if (chunk.done) {
          finished = true;
          if (reasoningOpen) controller.enqueue({ type: 'reasoning-end', id: 'r0' });
          if (textOpen) controller.enqueue({ type: 'text-end', id: 't0' });
          controller.enqueue({ type: 'finish', usage: usageOf(chunk), finishReason: finishReason(chunk, sawToolCall) });
        }
      },
      flush(controller) {
        if (!finished) controller.enqueue({ type: 'error', error: new OllamaError('Ollama closed the stream before finishing') });
      },
    }));
    return { stream };
  }
}

/**
 * The response body, with a connection lost mid-answer reported as an OllamaError that names
 * the host (undici's own error just says "terminated"). Aborts keep their original error.
 */
function guardBody(body: ReadableStream<Uint8Array>, host: string, signal: AbortSignal | undefined): ReadableStream<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value as Uint8Array<ArrayBuffer>);
      } catch (err) {
        controller.error(signal?.aborted
          ? err
          : new OllamaError(`Lost the connection to Ollama at ${host} in the middle of the answer (${(err as Error)?.message ?? String(err)})`));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function splitLines(): TransformStream<string, string> {
  let buffer = '';
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const p of parts) controller.enqueue(p);
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}

/** Whether an Ollama server answers at `host` (for `llm_provider: auto`). */
export async function isOllamaReachable(host: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetch(`${host.replace(/\/+$/, '')}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}
