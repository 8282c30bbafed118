import type { AuditLog } from '../audit/log.js';

/** One audit line per webhook per this window at most; the next one counts those left out. */
const WINDOW_MS = 10_000;

/**
 * Audits refused inbound calls (wrong secret or signature). The door is public and outside the
 * per-IP limit, so a flood could otherwise grow audit.jsonl without end: the first refusal of a
 * window is written at once, the rest are counted into the next line (`suppressed`).
 * Never writes what the caller sent — a near-miss secret is still a secret.
 */
export class FailureAudit {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly audit: Pick<AuditLog, 'write'>, private readonly now: () => number = Date.now) {}

  refused(webhook: string, context: { ip: string; by: 'secret' | 'signature' | 'none' }): void {
    const seen = this.last.get(webhook);
    const t = this.now();
    if (seen && t - seen.at < WINDOW_MS) {
      seen.suppressed++;
      return;
    }
    this.last.set(webhook, { at: t, suppressed: 0 });
    this.audit.write({
      action: 'webhook_auth_failed', target: webhook, actor: 'webhook', severity: 'warning', status: 'failure',
      context: { ...context, ...(seen?.suppressed ? { suppressed: seen.suppressed } : {}) },
    });
  }
}
