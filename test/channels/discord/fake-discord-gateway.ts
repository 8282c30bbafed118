import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeWorld } from './fake-discord-world.js';
import { snowflake } from './fake-discord-world.js';

/**
 * The fake's gateway, speaking Discord's v10 protocol in JSON without compression: HELLO (op 10)
 * on connect, IDENTIFY (op 2) answered with READY and one GUILD_CREATE per guild, or close 4004
 * for a wrong token; heartbeats (op 1) acknowledged (op 11). Dispatches (op 0) carry each
 * session's own increasing sequence number, and a session outlives a dropped connection: RESUME
 * (op 6) with its id replays what was missed and sends RESUMED, as Discord does; an unknown
 * session gets INVALID SESSION (op 9). A client that closes with 1000/1001 ends its session.
 */

/** A gateway session: survives its connection until the client closes normally. */
export interface SessionState {
  id: string;
  seq: number;
  intents?: number;
  /** Every dispatch, for replay on RESUME. */
  events: { s: number; t: string; d: unknown }[];
  connection: GatewaySession | null;
}

/** One WebSocket connection. */
export interface GatewaySession {
  ws: WebSocket;
  query: URLSearchParams;
  /** Set once IDENTIFY or RESUME succeeded. */
  state: SessionState | null;
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
  /** Sessions that can be resumed, by id. */
  private readonly states = new Map<string, SessionState>();
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

  /** Sent on every live connection, and kept for sessions whose connection dropped. */
  dispatch(t: string, d: unknown): void {
    for (const state of this.states.values()) this.sendDispatch(state, t, d);
  }

  /** Cuts every connection without a close frame (a network failure): sessions stay resumable. */
  drop(): void {
    for (const s of this.sessions) s.ws.terminate();
  }

  close(): void {
    for (const s of this.sessions) s.ws.terminate();
    this.wss.close();
  }

  private connected(ws: WebSocket, query: URLSearchParams): void {
    const session: GatewaySession = { ws, query, state: null, identified: false, sessionId: '' };
    this.sessions.add(session);
    ws.on('close', (code) => {
      this.sessions.delete(session);
      if (session.state?.connection === session) session.state.connection = null;
      // A normal close by the client ends the session; anything else leaves it resumable.
      if (session.state && (code === 1000 || code === 1001)) this.states.delete(session.state.id);
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
        this.resume(session, packet.d as { token?: unknown; session_id?: unknown; seq?: unknown });
        return;
      default:
        if (!QUIET_OPS.has(op)) session.ws.close(4001, 'Unknown opcode.');
    }
  }

  private authenticated(session: GatewaySession, token: unknown): boolean {
    if (session.identified) {
      session.ws.close(4005, 'Already authenticated.');
      return false;
    }
    if ((typeof token === 'string' ? token.replace(/^Bot /, '') : '') !== this.world.token) {
      session.ws.close(4004, 'Authentication failed.');
      return false;
    }
    return true;
  }

  private attach(session: GatewaySession, state: SessionState): void {
    session.identified = true;
    session.state = state;
    session.sessionId = state.id;
    session.intents = state.intents;
    state.connection = session;
  }

  private resume(session: GatewaySession, d: { token?: unknown; session_id?: unknown; seq?: unknown }): void {
    if (!this.authenticated(session, d?.token)) return;
    const state = typeof d.session_id === 'string' ? this.states.get(d.session_id) : undefined;
    if (!state) {
      this.send(session.ws, { op: Op.InvalidSession, d: false, s: null, t: null });
      return;
    }
    state.connection?.ws.terminate();
    this.attach(session, state);
    const after = typeof d.seq === 'number' ? d.seq : 0;
    for (const e of state.events.filter((x) => x.s > after)) this.send(session.ws, { op: Op.Dispatch, ...e });
    this.sendDispatch(state, 'RESUMED', null);
    this.world.changed();
  }

  private identify(session: GatewaySession, d: { token?: unknown; intents?: unknown }): void {
    if (!this.authenticated(session, d?.token)) return;
    const state: SessionState = { id: snowflake(), seq: 0, intents: typeof d.intents === 'number' ? d.intents : undefined, events: [], connection: null };
    this.states.set(state.id, state);
    this.attach(session, state);
    this.sendDispatch(state, 'READY', {
      v: 10,
      user: { ...this.world.bot, verified: true, mfa_enabled: false, flags: 0, email: null },
      guilds: this.world.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: state.id,
      resume_gateway_url: `${this.world.baseUrl.replace(/^http/, 'ws')}/gateway`,
      shard: [0, 1],
      application: { id: this.world.applicationId, flags: 0 },
      user_settings: {}, private_channels: [], relationships: [], presences: [], guild_join_requests: [],
    });
    for (const g of this.world.guilds) this.sendDispatch(state, 'GUILD_CREATE', this.world.wireGuild(g));
    this.world.changed();
  }

  private sendDispatch(state: SessionState, t: string, d: unknown): void {
    state.seq += 1;
    const event = { s: state.seq, t, d };
    state.events.push(event);
    if (state.connection) this.send(state.connection.ws, { op: Op.Dispatch, ...event });
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }
}
