/**
 * The tab's one WebSocket, once signed in. Chat, plan decisions and session switches all go
 * through it; before sign-in (and after sign-out) there is none, and sending does nothing.
 */
import type { ServerFrame } from '@protocol';
import { ChatSocket, type SocketOptions } from '../ws';

class SocketLink {
  private socket: ChatSocket | null = null;

  private listeners = new Set<(frame: ServerFrame) => void>();

  open(opts: SocketOptions): void {
    this.socket = new ChatSocket({
      ...opts,
      onFrame: (f) => {
        for (const fn of [...this.listeners]) fn(f);
        opts.onFrame(f);
      },
    });
    this.socket.connect();
  }

  /** Reads every frame before the chat does (the tool panels: reminders due, live audit entries). */
  listen(fn: (frame: ServerFrame) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }

  /** Whether there is a socket at all (connected or reconnecting). */
  get started(): boolean {
    return this.socket !== null;
  }

  /** Sends now if connected, else once the next connection is set up. */
  send(frame: Record<string, unknown>): void {
    this.socket?.send(frame);
  }

  /** Sends only if connected right now; false when not. */
  sendNow(frame: Record<string, unknown>): boolean {
    return this.socket?.sendNow(frame) ?? false;
  }
}

export const link = new SocketLink();
