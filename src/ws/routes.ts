import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { AppContext } from '../app/context.js';
import { bearerOf, cookieValue, isGenuineLocalhost } from '../auth/credentials.js';
import { SESSION_COOKIE } from '../auth/hook.js';
import { WsConnection } from './connection.js';
import { WsHub } from './hub.js';

const MAX_FRAME_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 30_000;

/** The first `pp_`/`ppat_` entry of Sec-WebSocket-Protocol: a credential some clients send there. */
function protocolCredential(header: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? header.join(',') : header ?? '';
  return raw.split(',').map((p) => p.trim()).find((p) => p.startsWith('pp_') || p.startsWith('ppat_'));
}

function queryParam(request: FastifyRequest, name: string): string | undefined {
  const v = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1]) : undefined;
}

/** Spec §2.5: limiter, then a credential (query, cookie, bearer, subprotocol), then localhost. */
function authorizeSocket(ctx: AppContext, request: FastifyRequest): 'ok' | 'limited' | 'denied' {
  const limiter = ctx.limiters?.ws;
  if (limiter && !limiter.take(request.ip).allowed) return 'limited';
  const candidates = [
    queryParam(request, 'token'), cookieValue(request.headers, SESSION_COOKIE), bearerOf(request.headers),
    protocolCredential(request.headers['sec-websocket-protocol']),
  ].filter((c): c is string => Boolean(c));
  for (const c of candidates) {
    if (ctx.credentials.isOwnerToken(c)) return 'ok';
    if (c.startsWith('pp_') && ctx.apiKeys.verify(c)) return 'ok';
  }
  return isGenuineLocalhost(request.socket.remoteAddress, request.headers, ctx.settings().localhost_auth_bypass) ? 'ok' : 'denied';
}

/** `/ws` and its aliases (spec §4.1). */
export async function registerWebSocket(app: FastifyInstance, ctx: AppContext): Promise<WsHub> {
  const hub = new WsHub(ctx.sessions.events);
  await app.register(websocket, {
    options: {
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols) => {
        for (const p of protocols) if (p.startsWith('pp_') || p.startsWith('ppat_')) return p;
        return false;
      },
    },
  });
  app.addHook('onClose', async () => hub.close());
  app.addHook('onClose', ctx.audit.subscribe((frame) => hub.broadcast(frame))); // audit entries and plan proposals, live to every socket

  const handler = (socket: WebSocket, request: FastifyRequest) => {
    const verdict = authorizeSocket(ctx, request);
    if (verdict !== 'ok') {
      // Accepted then closed, so the client sees the code (spec §2.5 allows this).
      socket.close(verdict === 'limited' ? 4029 : 4003, verdict === 'limited' ? 'Too many connections' : 'Unauthorized');
      return;
    }
    const conn = new WsConnection(socket, ctx, hub, queryParam(request, 'resume_session'));
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
      conn.onFrame(text).catch((err: unknown) => {
        request.log.error({ err }, 'websocket frame failed');
        conn.send({ type: 'error', content: 'That request failed on the server; see the server log.' });
      });
    });
    socket.on('close', () => {
      clearInterval(heartbeat);
      conn.closed();
    });
    socket.on('error', () => socket.terminate());
  };
  for (const path of ['/ws', '/api/v1/ws', '/v1/ws']) {
    app.get(path, { websocket: true, schema: { hide: true } }, handler);
  }
  return hub;
}
