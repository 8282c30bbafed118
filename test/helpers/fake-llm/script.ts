import type { FakeResponse, FakeStep } from './types.js';

/**
 * A text reply split into deltas: by default one delta per word (with its trailing whitespace),
 * like model tokens; with `chunkSize`, fixed-size chunks of that many characters.
 * `delayMs` pauses between deltas (not before the first one).
 */
export function textReply(text: string, opts: { chunkSize?: number; delayMs?: number } = {}): FakeResponse {
  const chunks = splitText(text, opts.chunkSize);
  const steps: FakeStep[] = [];
  chunks.forEach((chunk, i) => {
    if (i > 0 && opts.delayMs) steps.push({ delayMs: opts.delayMs });
    steps.push({ text: chunk });
  });
  return { steps };
}

/** A response that consists of one tool call (finish reason tool_calls / tool_use). */
export function toolCallReply(name: string, args: unknown, id?: string): FakeResponse {
  return { steps: [{ toolCall: id === undefined ? { name, args } : { id, name, args } }] };
}

export const DEFAULT_TEXT = 'Hello from the fake model.';

export function defaultResponse(): FakeResponse {
  return textReply(DEFAULT_TEXT);
}

export function splitText(text: string, chunkSize?: number): string[] {
  if (text === '') return [''];
  if (chunkSize !== undefined && chunkSize > 0) {
    const out: string[] = [];
    for (let i = 0; i < text.length; i += chunkSize) out.push(text.slice(i, i + chunkSize));
    return out;
  }
  const words = text.match(/\s*\S+\s*/g);
  // Each piece is a word plus surrounding whitespace; joined they give back `text`.
  return words ?? [text];
}

/** Tool arguments as the JSON string sent on the wire; a string is used verbatim. */
export function argsToJson(args: unknown): string {
  if (typeof args === 'string') return args;
  return JSON.stringify(args ?? {});
}

/** Tool arguments as an object (Ollama sends objects); unparseable strings are sent as is. */
export function argsToObject(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** Split a string into (at most) `parts` pieces, to exercise incremental argument parsing. */
export function splitInto(s: string, parts: number): string[] {
  if (s.length <= 1 || parts <= 1) return [s];
  const size = Math.ceil(s.length / parts);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** Rough token estimate (~4 characters a token), never below 1. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

export function resolveUsage(
  response: FakeResponse,
  requestBody: unknown,
  outputChars: number,
): { input: number; output: number } {
  if (response.usage) return response.usage;
  let inputChars = 0;
  try {
    inputChars = JSON.stringify(requestBody ?? '').length;
  } catch {
    inputChars = 0;
  }
  return { input: estimateTokens(inputChars), output: estimateTokens(outputChars) };
}

export function outputChars(steps: FakeStep[]): number {
  let n = 0;
  for (const s of steps) {
    if ('text' in s) n += s.text.length;
    else if ('reasoning' in s) n += s.reasoning.length;
    else if ('toolCall' in s) n += s.toolCall.name.length + argsToJson(s.toolCall.args).length;
  }
  return n;
}

export function hasToolCalls(steps: FakeStep[]): boolean {
  return steps.some((s) => 'toolCall' in s);
}
