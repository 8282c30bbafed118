import WebSocket from 'ws';

export type WsFrame = Record<string, any> & { type: string };

export interface TestSocket {
  ws: WebSocket;
  frames: WsFrame[];
  send(frame: unknown): void;
  sendRaw(data: string | Buffer): void;
  /** Resolves with the first frame (at or after `from`) matching `pred`. */
  waitFor(pred: (f: WsFrame) => boolean, opts?: { timeoutMs?: number; from?: number }): Promise<WsFrame>;
  /** Frames from index `from` up to and including the next `stream_end`. */
  turn(from?: number, timeoutMs?: number): Promise<WsFrame[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface ConnectOptions {
  headers?: Record<string, string>;
  localAddress?: string;
  protocols?: string[];
}

/** A real WebSocket client that records every frame the server sends. */
export function connect(url: string, opts: ConnectOptions = {}): Promise<TestSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), opts.protocols, { headers: opts.headers, localAddress: opts.localAddress });
  const frames: WsFrame[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as WsFrame);
    for (const l of listeners) l();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const l of listeners) l();
    });
  });
  const waitFor: TestSocket['waitFor'] = (pred, { timeoutMs = 10_000, from = 0 } = {}) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = frames.slice(from).find(pred);
        if (hit) {
          cleanup();
          resolve(hit);
        } else if (ws.readyState === ws.CLOSED) {
          cleanup();
          reject(new Error(`socket closed; frames: ${JSON.stringify(frames).slice(0, 2000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out; frames so far: ${JSON.stringify(frames).slice(0, 2000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  const socket: TestSocket = {
    ws, frames, closed, waitFor,
    send: (frame) => ws.send(JSON.stringify(frame)),
    sendRaw: (data) => ws.send(data),
    turn: async (from = 0, timeoutMs) => {
      const end = await waitFor((f) => f.type === 'stream_end', { from, timeoutMs });
      return frames.slice(from, frames.indexOf(end, from) + 1);
    },
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('error', reject);
    // A server that accepts then closes (auth failure) still resolves, so tests can read the code.
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** A connected dashboard socket and its chat id (from `connection_info`). */
export interface ChatSocket extends TestSocket {
  chatId: string;
  /** `websocket_<chatId>` */
  sessionId: string;
}

/** Connects and waits for `connection_info`. */
export async function connectChat(url: string, opts: ConnectOptions = {}): Promise<ChatSocket> {
  const sock = await connect(url.includes('/ws') ? url : `${url}/ws`, opts);
  const info = await sock.waitFor((f) => f.type === 'connection_info');
  const chatId = String(info.id).slice('websocket_'.length);
  return Object.assign(sock, { chatId, sessionId: `websocket_${chatId}` });
}

/** PocketPaw's own frames: without our live session events (session_updated / session_deleted). */
export function ownFrames(frames: WsFrame[]): WsFrame[] {
  return frames.filter((f) => f.type !== 'session_updated' && f.type !== 'session_deleted');
}

/** The streamed answer: every `message` chunk's content, joined. */
export function streamedText(frames: WsFrame[]): string {
  return frames.filter((f) => f.type === 'message' && f.is_stream_chunk === true).map((f) => f.content as string).join('');
}

/** `system_event` frames of one type. */
export function systemEvents(frames: WsFrame[], eventType: string): WsFrame[] {
  return frames.filter((f) => f.type === 'system_event' && f.event_type === eventType);
}
