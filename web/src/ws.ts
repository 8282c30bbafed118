/**
 * The dashboard's WebSocket (`/ws`, spec §4): one per tab, reconnecting with back-off and
 * `?resume_session=` so a dropped connection picks its chat up again.
 */

import type { ServerFrame } from '@protocol';

export type ConnStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

export interface SocketOptions {
  /** The session to resume on (re)connect, if any. */
  resumeId(): string | null;
  onFrame(frame: ServerFrame): void;
  onStatus(status: ConnStatus): void;
}

const MAX_DELAY_MS = 10_000;

export class ChatSocket {
  private ws: WebSocket | null = null;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queue: string[] = [];
  private stopped = false;
  status: ConnStatus = 'connecting';

  constructor(private readonly opts: SocketOptions) {
    // Come back at once when the network or the tab does, instead of waiting out the back-off.
    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    this.stopped = false;
    clearTimeout(this.timer);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const resume = this.opts.resumeId();
    const url = `${proto}//${location.host}/ws${resume ? `?resume_session=${encodeURIComponent(resume)}` : ''}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.setStatus('open');
    };
    ws.onmessage = (ev) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      // Any object with a `type`: kinds this dashboard does not know fall through its handlers.
      if (frame && typeof frame === 'object' && typeof (frame as { type?: unknown }).type === 'string') {
        const f = frame as ServerFrame;
        this.opts.onFrame(f);
        // The server's first frame: the chat is set up; now queued actions may go.
        if (f.type === 'connection_info') this.flush();
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (ev.code === 4003) {
        this.setStatus('unauthorized');
        return;
      }
      if (this.stopped) return;
      this.setStatus('reconnecting');
      const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
      this.attempts++;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  /** Sends now if connected, else once the next connection is set up. */
  send(frame: Record<string, unknown>): void {
    const text = JSON.stringify(frame);
    if (this.isOpen && this.status === 'open' && this.queue.length === 0) this.ws!.send(text);
    else this.queue.push(text);
  }

  /** Sends only if connected right now (actions that make no sense later). */
  sendNow(frame: Record<string, unknown>): boolean {
    if (!this.isOpen) return false;
    this.ws!.send(JSON.stringify(frame));
    return true;
  }

  /** Drops anything queued (e.g. a session switch that a reconnect's resume replaces). */
  clearQueue(): void {
    this.queue = [];
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.queue = [];
    this.ws?.close();
    this.ws = null;
  }

  private retryNow(): void {
    if (this.stopped || this.ws || this.status === 'unauthorized') return;
    this.attempts = 0;
    this.connect();
  }

  private flush(): void {
    const q = this.queue;
    this.queue = [];
    for (const text of q) this.ws?.send(text);
  }

  private setStatus(s: ConnStatus): void {
    this.status = s;
    this.opts.onStatus(s);
  }
}
