import type { FastifyReply } from 'fastify';

/** A text/event-stream response (spec §5): `event: <name>` / `data: <one-line JSON>`. */
export class SseStream {
  private open = true;

  constructor(private readonly reply: FastifyReply, extraHeaders: Record<string, string> = {}) {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...extraHeaders,
    });
    reply.raw.flushHeaders();
    reply.raw.on('close', () => (this.open = false));
  }

  get isOpen(): boolean {
    return this.open && !this.reply.raw.writableEnded;
  }

  send(event: string, data: unknown): void {
    if (this.isOpen) this.reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (this.isOpen) this.reply.raw.write(`: ${text}\n\n`);
  }

  end(): void {
    if (this.isOpen) this.reply.raw.end();
    this.open = false;
  }
}
