import type { LiveBus } from '../events/live-bus.js';
import { redactDeep } from '../security/redact.js';
import type { SecretValues } from '../security/secret-values.js';
import { nowIso } from '../lib/time.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type AuditSeverity = 'info' | 'warning' | 'critical' | 'alert';

export interface AuditEvent {
  id: string;
  timestamp: string;
  severity: AuditSeverity;
  actor: string;
  action: string;
  target: string;
  status: string;
  context: Record<string, unknown>;
}

export const AUDIT_SEVERITIES: readonly AuditSeverity[] = ['info', 'warning', 'critical', 'alert'];

export interface AuditQuery {
  /** Newest first, at most this many. */
  limit: number;
  action?: string;
  severity?: AuditSeverity;
  actor?: string;
  status?: string;
  /** Only events at or after this instant (ms since epoch). */
  since?: number;
}

/** Bytes read per step when reading the log backwards. */
const TAIL_CHUNK = 64 * 1024;
/** Lines from several processes may land slightly out of timestamp order; read this far past `since`. */
const SINCE_SLACK_MS = 5_000;

/**
 * Append-only `audit.jsonl` (spec §3.13). One `appendFileSync` per event, so the line is one
 * write(2) on an O_APPEND descriptor: it lands whole, also with other processes (the CLI)
 * appending at the same time. Every event is also published on the live bus, which dashboards
 * receive as `system_event` `audit_entry`.
 */
export class AuditLog {
  private warned = false;

  /**
   * `secrets`: exact values (master token, saved keys) to redact from `readForClient` (patterns
   * are always redacted; the bus redacts what it sends). The file keeps what was written.
   */
  constructor(readonly file: string, private readonly live?: { bus?: Pick<LiveBus, 'publish'>; secrets?: SecretValues }) {}

  static pathIn(home: string): string {
    return path.join(home, 'audit.jsonl');
  }

  write(e: Partial<AuditEvent> & Pick<AuditEvent, 'action' | 'target'>): AuditEvent {
    // Callers that pass only an action (the auth routes) still get a truthful status for failures.
    const failure = /_fail(?:ure|ed)$/.test(e.action);
    const event: AuditEvent = {
      id: crypto.randomUUID(),
      timestamp: nowIso(),
      severity: e.severity ?? (failure ? 'warning' : 'info'),
      actor: e.actor ?? 'api_client',
      action: e.action,
      target: e.target,
      status: e.status ?? (failure ? 'failure' : 'success'),
      context: e.context ?? {},
    };
    try {
      fs.appendFileSync(this.file, `${JSON.stringify(event)}\n`, { mode: 0o600 });
    } catch (err) {
      // As PocketPaw: a failing audit write (disk full, permissions) is reported, never a crash
      // (it may happen in a timer, e.g. a plan expiring). The live feed still gets the event.
      if (!this.warned) process.emitWarning(`Cannot write the audit log ${this.file}: ${(err as Error).message}`);
      this.warned = true;
    }
    this.live?.bus?.publish({ type: 'system_event', event_type: 'audit_entry', data: { ...event } });
    return event;
  }

  /**
   * Newest first, filtered, reading the file backwards in chunks: the cost depends on how far
   * back the matches are, not on the file's size. Unparseable lines are skipped.
   */
  async read(q: AuditQuery): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    if (q.limit <= 0) return out;
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    try {
      let pos = (await fh.stat()).size;
      let carry = Buffer.alloc(0);
      while (pos > 0) {
        const size = Math.min(TAIL_CHUNK, pos);
        pos -= size;
        const chunk = Buffer.alloc(size);
        await fh.read(chunk, 0, size, pos);
        const buf = carry.length ? Buffer.concat([chunk, carry]) : chunk;
        // Everything before the first newline may be the end of a line that starts in the previous chunk.
        let end = buf.length;
        for (let i = buf.length - 1; i >= 0; i--) {
          if (buf[i] !== 0x0a) continue;
          if (this.take(buf.subarray(i + 1, end), q, out) === 'stop' || out.length >= q.limit) return out;
          end = i;
        }
        carry = buf.subarray(0, end);
      }
      if (carry.length) this.take(carry, q, out);
      return out;
    } finally {
      await fh.close();
    }
  }

  /** `read()` with every string redacted: what the audit routes return. */
  async readForClient(q: AuditQuery, secrets: SecretValues | undefined = this.live?.secrets): Promise<AuditEvent[]> {
    return (await this.read(q)).map((e) => redactDeep(e, secrets));
  }

  /** Empties the log (spec: `DELETE /api/audit`). */
  clear(): void {
    try {
      fs.truncateSync(this.file, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private take(line: Buffer, q: AuditQuery, out: AuditEvent[]): 'stop' | void {
    if (line.length === 0) return;
    let e: AuditEvent;
    try {
      e = JSON.parse(line.toString('utf8')) as AuditEvent;
    } catch {
      return;
    }
    if (!e || typeof e !== 'object' || typeof e.action !== 'string') return;
    if (q.since !== undefined) {
      const t = Date.parse(e.timestamp);
      if (Number.isFinite(t) && t < q.since) return t < q.since - SINCE_SLACK_MS ? 'stop' : undefined;
    }
    if (q.action !== undefined && e.action !== q.action) return;
    if (q.severity !== undefined && e.severity !== q.severity) return;
    if (q.actor !== undefined && e.actor !== q.actor) return;
    if (q.status !== undefined && e.status !== q.status) return;
    out.push(e);
  }
}
