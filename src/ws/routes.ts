import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { AppContext } from '../app/context.js';
import { ANY_CREDENTIAL } from '../auth/access.js';
import { WsConnection } from './connection.js';
import { WsHub } from './hub.js';

const MAX_FRAME_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 30_000;

function queryParam(request: FastifyRequest, name: string): string | undefined {
  const v = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1]) : undefined;
}

/** Open sockets per client address: one page cannot hold the server's file descriptors hostage. */
class ConnectionCounter {
  private readonly open = new Map<string, number>();

  tryAdd(ip: string, max: number): boolean {
    const n = this.open.get(ip) ?? 0;
    if (n >= max) return false;
    this.open.set(ip, n + 1);
    return true;
  }

  remove(ip: string): void {
    const n = (this.open.get(ip) ?? 1) - 1;
    if (n <= 0) this.open.delete(ip);
    else this.open.set(ip, n);
  }
}

/**
 * The WebSocket plugin. Registered before the auth hook: its own `onRequest` marks upgrade
 * requests (`request.ws`) and its `onResponse` closes the socket of a handshake that was
 * answered with HTTP instead (refused by auth), which would otherwise stay open.
 */
export async function registerWebSocketPlugin(app: FastifyInstance): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols) => {
        for (const p of protocols) if (p.startsWith('pp_') || p.startsWith('ppat_')) return p;
        return false;
      },
    },
  });
}

/**
 * `/ws` and its aliases (spec §4.1). The credential, `Host` and `Origin` were checked before the
 * upgrade (src/auth/hook.ts: a page on another origin is refused with a 403 and never gets a
 * socket); here come the per-address limiter and cap, then the 4003 close for a handshake that
 * carried no credential (spec §2.5: accepted then closed, so the client sees the code).
 */
export async function registerWebSocket(app: FastifyInstance, ctx: AppContext): Promise<WsHub> {
  const hub = new WsHub(ctx.sessions.events);
  const counter = new ConnectionCounter();
  app.addHook('onClose', async () => hub.close());
  const unsubscribe = ctx.bus.subscribe((frame) => hub.broadcast(frame)); // audit entries, plans, reminders, intention runs
  app.addHook('onClose', async () => unsubscribe());

  const handler = (socket: WebSocket, request: FastifyRequest) => {
    const limiter = ctx.limiters?.ws;
    if (limiter && !limiter.take(request.ip).allowed) return socket.close(4029, 'Too many connections');
    if (!request.auth) return socket.close(4003, 'Unauthorized');
    if (!counter.tryAdd(request.ip, ctx.settings().ws_max_connections_per_ip)) {
      return socket.close(4029, 'Too many open connections from this address');
    }
    const conn = new WsConnection(socket, ctx, hub, request.auth.scopes, queryParam(request, 'resume_session'));
    // A dashboard or client just connected: a chat is likely next, so load the model libraries now.
    ctx.chat.warmUp();
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    socket.on('pong', () => (alive = true));
    socket.on('message', (data, isBinary) => {
      alive = true;
      const text = isBinary ? '' : data.toString();
      // The connection has already told the client; a bug is logged here, with the request.
      conn.onFrame(text).catch((err: unknown) => request.log.error({ err }, 'websocket frame failed'));
    });
    socket.on('close', () => {
      clearInterval(heartbeat);
      counter.remove(request.ip);
      conn.closed();
    });
    socket.on('error', () => socket.terminate());
  };
  for (const path of ['/ws', '/api/v1/ws', '/v1/ws']) {
    app.get(path, { websocket: true, config: { socket: true, scope: ANY_CREDENTIAL }, schema: { hide: true } }, handler);
  }
  return hub;
}
