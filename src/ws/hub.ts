import type { WebSocket } from 'ws';
import { hasScope } from '../auth/scopes.js';
import { legacySummary } from '../sessions/schemas.js';
import type { SessionEvents } from '../sessions/events.js';
import type { SessionRecord } from '../sessions/types.js';

import type { ServerFrame } from '../protocol/index.js';

/** One open dashboard socket, the chat it is bound to, and its credential's scopes (undefined: full access). */
export interface WsClient {
  socket: WebSocket;
  chatId: string;
  readonly scopes?: readonly string[];
}

/**
 * The scope a broadcast frame needs, as its REST twin does: audit entries (tool parameters,
 * logins: `GET /api/audit` is `admin`) and MCP sign-in links (whoever follows one signs the
 * server in with their own account) go only to sockets whose credential has `admin`.
 */
function scopeOf(frame: ServerFrame): readonly string[] {
  if (frame.type === 'mcp_oauth_redirect') return ['admin'];
  if (frame.type === 'system_event' && (frame as { event_type?: unknown }).event_type === 'audit_entry') return ['admin'];
  return [];
}

/**
 * All open WebSockets. Chat output for a chat id goes to the socket currently bound to it
 * (a reconnect takes over a running turn); with none, it is dropped, never broadcast
 * (spec §4.4, §10 item 10). Session changes from any path reach every socket.
 */
export class WsHub {
  private readonly clients = new Set<WsClient>();
  private readonly unsubscribe: () => void;

  constructor(events: SessionEvents) {
    const updated = (s: SessionRecord) => this.broadcast({ type: 'session_updated', session: legacySummary(s) }); // the service emits sessions already redacted (spec §6.1)
    const deleted = (id: string) => this.broadcast({ type: 'session_deleted', id });
    events.on('updated', updated);
    events.on('deleted', deleted);
    this.unsubscribe = () => {
      events.off('updated', updated);
      events.off('deleted', deleted);
    };
  }

  add(client: WsClient): void {
    this.clients.add(client);
  }

  remove(client: WsClient): void {
    this.clients.delete(client);
  }

  get size(): number {
    return this.clients.size;
  }

  send(socket: WebSocket, frame: ServerFrame): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  }

  /** To the socket bound to `chatId` now; the most recently bound one wins. */
  sendToChat(chatId: string, frame: ServerFrame): void {
    let target: WsClient | undefined;
    for (const c of this.clients) if (c.chatId === chatId) target = c;
    if (target) this.send(target.socket, frame);
  }

  broadcast(frame: ServerFrame): void {
    const text = JSON.stringify(frame);
    const needs = scopeOf(frame);
    for (const c of this.clients) {
      if (c.scopes && !hasScope(c.scopes, needs)) continue;
      if (c.socket.readyState === c.socket.OPEN) c.socket.send(text);
    }
  }

  close(): void {
    this.unsubscribe();
    for (const c of this.clients) c.socket.close(1001, 'Server shutting down');
    this.clients.clear();
  }
}
