import { nowIso } from '../shared/time.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface AuditEvent {
  id: string;
  timestamp: string;
  severity: 'info' | 'warning' | 'critical' | 'alert';
  actor: string;
  action: string;
  target: string;
  status: string;
  context: Record<string, unknown>;
}

/**
 * Append-only `audit.jsonl` (spec §3.13). One `appendFileSync` per event: with O_APPEND each
 * line lands whole, even with other writers.
 */
export class AuditLog {
  constructor(readonly file: string) {}

  static pathIn(home: string): string {
    return path.join(home, 'audit.jsonl');
  }

  write(e: Partial<AuditEvent> & Pick<AuditEvent, 'action' | 'target'>): AuditEvent {
    const event: AuditEvent = {
      id: crypto.randomUUID(),
      timestamp: nowIso(),
      severity: e.severity ?? 'info',
      actor: e.actor ?? 'api_client',
      action: e.action,
      target: e.target,
      status: e.status ?? 'success',
      context: e.context ?? {},
    };
    fs.appendFileSync(this.file, `${JSON.stringify(event)}\n`, { mode: 0o600 });
    return event;
  }
}
