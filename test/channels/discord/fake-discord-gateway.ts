import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeWorld } from './fake-discord-world.js';
import { snowflake } from './fake-discord-world.js';

/**
 * The fake's gateway, speaking Discord's v10 protocol in JSON without compression: HELLO (op 10)
 * on connect, IDENTIFY (op 2) answered with READY and one GUILD_CREATE per guild, or close 4004
 * for a wrong token; heartbeats (op 1) acknowledged (op 11); RESUME (op 6) refused with INVALID
 * SESSION (op 9), which makes the client identify afresh; dispatches (op 0) carry each
 * connection's own increasing sequence number, as Discord's do.
 */

export interface GatewaySession {
  ws: WebSocket;
  query: URLSearchParams;
  seq: number;
  identified: boolean;
  intents?: number;
  sessionId: string;
}

export interface ReceivedOp {
  op: number;
  d: unknown;
  at: number;
}

const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;
/** Ops a bot may send that the fake accepts without an answer (presence, voice, member requests). */
const QUIET_OPS = new Set([3, 4, 8]);

export class FakeGateway {
  readonly sessions = new Set<GatewaySession>();
  readonly received: ReceivedOp[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(private readonly world: FakeWorld, private readonly heartbeatIntervalMs: number) {}

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, new URL(req.url ?? '/', 'ws://fake').searchParams));
  }

  /** Identified connections: the ones Discord would deliver events to. */
  get live(): GatewaySession[] {
    return [...this.sessions].filter((s) => s.identified);
  }

  dispatch(t: string, d: unknown): void {
    for (const s of this.live) this.sendDispatch(s, t, d);
  }

  close(): void {
    for (const s of this.sessions) s.ws.terminate();
    this.wss.close();
  }

  private connected(ws: WebSocket, query: URLSearchParams): void {
    const session: GatewaySession = { ws, query, seq: 0, identified: false, sessionId: snowflake() };
    this.sessions.add(session);
    ws.on('close', () => {
      this.sessions.delete(session);
      this.world.changed();
    });
    // Only what this fake speaks: a client asking for ETF or zlib-stream must fail loudly here.
    if ((query.get('encoding') ?? 'json') !== 'json' || query.has('compress')) {
      ws.close(4002, 'This fake gateway speaks uncompressed JSON only');
      return;
    }
    this.send(ws, { op: Op.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null });
    ws.on('message', (raw) => this.onMessage(session, raw.toString()));
    this.world.changed();
  }

  private onMessage(session: GatewaySession, raw: string): void {
    let packet: { op?: unknown; d?: unknown };
    try {
      packet = JSON.parse(raw) as { op?: unknown; d?: unknown };
    } catch {
      session.ws.close(4002, 'Error while decoding payload.');
      return;
    }
    const op = typeof packet.op === 'number' ? packet.op : -1;
    this.received.push({ op, d: packet.d, at: Date.now() });
    this.world.changed();
    switch (op) {
      case Op.Heartbeat:
        this.send(session.ws, { op: Op.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Op.Identify:
        this.identify(session, packet.d as { token?: unknown; intents?: unknown });
        return;
      case Op.Resume:
        this.send(session.ws, { op: Op.InvalidSession, d: false, s: null, t: null });
        return;
      default:
        if (!QUIET_OPS.has(op)) session.ws.close(4001, 'Unknown opcode.');
    }
  }

  private identify(session: GatewaySession, d: { token?: unknown; intents?: unknown }): void {
    if (session.identified) {
      session.ws.close(4005, 'Already authenticated.');
      return;
    }
    const token = typeof d?.token === 'string' ? d.token.replace(/^Bot /, '') : '';
    if (token !== this.world.token) {
      session.ws.close(4004, 'Authentication failed.');
      return;
    }
    session.identified = true;
    session.intents = typeof d.intents === 'number' ? d.intents : undefined;
    this.sendDispatch(session, 'READY', {
      v: 10,
      user: { ...this.world.bot, verified: true, mfa_enabled: false, flags: 0, email: null },
      guilds: this.world.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.sessionId,
      resume_gateway_url: `${this.world.baseUrl.replace(/^http/, 'ws')}/gateway`,
      shard: [0, 1],
      application: { id: this.world.applicationId, flags: 0 },
      user_settings: {}, private_channels: [], relationships: [], presences: [], guild_join_requests: [],
    });
    for (const g of this.world.guilds) this.sendDispatch(session, 'GUILD_CREATE', this.world.wireGuild(g));
    this.world.changed();
  }

  private sendDispatch(session: GatewaySession, t: string, d: unknown): void {
    session.seq += 1;
    this.send(session.ws, { op: Op.Dispatch, t, s: session.seq, d });
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }
}
