import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FakeStep } from './types.js';

/**
 * One HTTP request/response pair, tolerant of the client going away at any moment:
 * writes after the connection closed are dropped, sleeps end early, nothing throws.
 */
export class Exchange {
  /** The connection is gone (client closed it, or we destroyed it). */
  closed = false;
  /** We ended the response (or destroyed the socket on purpose). */
  done = false;
  private readonly closeWaiters: (() => void)[] = [];
  private onClientAbort: (() => void) | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    req.on('error', () => {});
    res.on('error', () => {});
    res.on('close', () => {
      this.closed = true;
      if (!this.done) this.onClientAbort?.();
      for (const wake of this.closeWaiters.splice(0)) wake();
    });
  }

  /** Called once if the client closes the connection before we finished. */
  onAbort(fn: () => void): void {
    this.onClientAbort = fn;
  }

  head(status: number, headers: OutgoingHttpHeaders): void {
    if (this.closed || this.res.headersSent) return;
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
  }

  /** Writes a chunk; returns a promise only when the socket buffer is full (backpressure). */
  write(chunk: string): Promise<void> | undefined {
    if (this.closed || chunk === '') return undefined;
    if (this.res.write(chunk)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(chunk?: string): void {
    this.done = true;
    if (this.closed) return;
    if (chunk !== undefined) this.res.end(chunk);
    else this.res.end();
  }

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    const text = JSON.stringify(body);
    this.head(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    this.end(text);
  }

  /**
   * Destroys the socket abruptly (not counted as a client abort). Bytes already written are
   * flushed first (Node corks response writes until the next tick), so the client sees the
   * partial response and then a connection cut.
   */
  async destroy(): Promise<void> {
    this.done = true;
    const socket = this.req.socket;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!socket.destroyed && socket.writableLength > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, 1_000);
        function finish() {
          clearTimeout(timer);
          socket.off('drain', finish);
          socket.off('close', finish);
          resolve();
        }
        socket.on('drain', finish);
        socket.on('close', finish);
      });
    }
    socket.destroy();
  }

  untilClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Sleeps `ms`, or less if the connection closes meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(wake, ms);
      function wake() {
        clearTimeout(timer);
        resolve();
      }
      this.closeWaiters.push(wake);
    });
  }
}

export interface ToolCallSpec {
  id: string;
  name: string;
  args: unknown;
}

/** Provider-specific wire encoding of a streamed response; each method returns the bytes to write. */
export interface StreamEncoder {
  start(): string;
  text(delta: string): string;
  reasoning(delta: string): string;
  toolCall(call: ToolCallSpec): string;
  garbage(raw: string): string;
  /** The mid-stream error event; the response ends after it. */
  error(message: string): string;
  /** Normal termination (finish reason, usage, end marker). */
  finish(): string;
}

/**
 * Plays `steps` through `encoder` onto the exchange. Resolves when the response is over.
 *
 * Steps without a pause between them are coalesced into one `res.write` (Node corks response
 * writes until the next tick anyway, so the bytes on the wire are the same, minus the
 * per-write overhead); every delay/hang/destroy/end flushes first.
 */
export async function runStream(
  ex: Exchange,
  steps: FakeStep[],
  encoder: StreamEncoder,
  nextToolId: () => string,
): Promise<void> {
  let pending = encoder.start();
  const flush = async () => {
    const chunk = pending;
    pending = '';
    const p = ex.write(chunk);
    if (p) await p;
  };
  for (const step of steps) {
    if (ex.closed) return;
    if ('delayMs' in step) {
      await flush();
      await ex.sleep(step.delayMs);
    } else if ('hang' in step) {
      await flush();
      await ex.untilClosed();
      return;
    } else if ('destroy' in step) {
      await flush();
      await ex.destroy();
      return;
    } else if ('error' in step) {
      pending += encoder.error(step.error);
      await flush();
      ex.end();
      return;
    } else if ('text' in step) pending += encoder.text(step.text);
    else if ('reasoning' in step) pending += encoder.reasoning(step.reasoning);
    else if ('toolCall' in step) pending += encoder.toolCall({ ...step.toolCall, id: step.toolCall.id ?? nextToolId() });
    else pending += encoder.garbage(step.garbage);
    // Respect backpressure on very long scripts without pauses.
    if (pending.length > 64 * 1024) await flush();
  }
  if (ex.closed) return;
  pending += encoder.finish();
  await flush();
  ex.end();
}

export interface CollectedOutput {
  text: string;
  reasoning: string;
  toolCalls: ToolCallSpec[];
}

export type CollectResult =
  | { kind: 'ok'; output: CollectedOutput }
  | { kind: 'error'; message: string }
  | { kind: 'garbage'; raw: string }
  /** The connection is gone (hang until client left, or destroyed): send nothing. */
  | { kind: 'gone' };

/** Plays `steps` for a non-streaming response: delays are honoured, outputs accumulated. */
export async function collectSteps(ex: Exchange, steps: FakeStep[], nextToolId: () => string): Promise<CollectResult> {
  const output: CollectedOutput = { text: '', reasoning: '', toolCalls: [] };
  for (const step of steps) {
    if (ex.closed) return { kind: 'gone' };
    if ('delayMs' in step) await ex.sleep(step.delayMs);
    else if ('hang' in step) {
      await ex.untilClosed();
      return { kind: 'gone' };
    } else if ('destroy' in step) {
      await ex.destroy();
      return { kind: 'gone' };
    } else if ('error' in step) return { kind: 'error', message: step.error };
    else if ('garbage' in step) return { kind: 'garbage', raw: step.garbage };
    else if ('text' in step) output.text += step.text;
    else if ('reasoning' in step) output.reasoning += step.reasoning;
    else output.toolCalls.push({ ...step.toolCall, id: step.toolCall.id ?? nextToolId() });
  }
  if (ex.closed) return { kind: 'gone' };
  return { kind: 'ok', output };
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
} as const;
