import crypto from 'node:crypto';
import type { AuditLog } from '../../audit/log.js';
import type { LiveBus } from '../../events/live-bus.js';
import { toSessionId } from '../../sessions/ids.js';

/** Spec §3.15: a plan expires 5 minutes after it is proposed. */
export const PLAN_TTL_MS = 5 * 60_000;

export type PlanStatus = 'proposed' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface Plan {
  id: string;
  session_key: string;
  tool: string;
  args: unknown;
  status: PlanStatus;
  created_at: string;
  expires_at: string;
  /** Why this call waits for approval when it is not plan mode (e.g. no sandbox); absent in plan mode. */
  reason?: string;
}

export type PlanOutcome = 'approved' | 'rejected' | 'expired' | 'cancelled';

interface Active {
  plan: Plan;
  settle(outcome: PlanOutcome): void;
}

/**
 * Plan mode's proposals, one active plan per session key (spec §3.15). A tool call that needs
 * approval waits in `propose` until the owner approves or rejects it, it expires, or the turn
 * is stopped. Calls of one session that need plans at the same time (parallel tool calls) are
 * proposed one after another, each with its own five minutes.
 */
export class PlanBook {
  private readonly active = new Map<string, Active>();
  /** Per session key: the proposal that must settle before the next one is made. */
  private readonly queue = new Map<string, Promise<unknown>>();

  constructor(
    private readonly audit: AuditLog,
    private readonly bus: Pick<LiveBus, 'publish'>,
    private readonly ttlMs: number = PLAN_TTL_MS,
  ) {}

  /** The proposed plan of a session, if any. */
  get(sessionKey: string): Plan | undefined {
    return this.active.get(this.key(sessionKey))?.plan;
  }

  /** Proposes a tool call and waits for the decision. `reason` is shown with the plan. */
  propose(sessionKey: string, tool: string, args: unknown, signal: AbortSignal, reason?: string): Promise<PlanOutcome> {
    const prev = this.queue.get(sessionKey) ?? Promise.resolve();
    const mine = prev.then(() => this.proposeNow(sessionKey, tool, args, signal, reason));
    const tail = mine.catch(() => undefined);
    this.queue.set(sessionKey, tail);
    void tail.then(() => {
      if (this.queue.get(sessionKey) === tail) this.queue.delete(sessionKey);
    });
    return mine;
  }

  /** Approves or rejects the session's proposed plan; false when it has none. */
  decide(sessionKey: string, decision: 'approved' | 'rejected'): boolean {
    const a = this.active.get(this.key(sessionKey));
    if (!a) return false;
    a.settle(decision);
    return true;
  }

  /** Settles every waiting call as cancelled (shutdown). */
  close(): void {
    for (const a of [...this.active.values()]) a.settle('cancelled');
  }

  /** Accepts the session id form (`websocket_<id>`) for the key (`websocket:<id>`), as the session routes do. */
  private key(sessionKey: string): string {
    if (this.active.has(sessionKey)) return sessionKey;
    const id = toSessionId(sessionKey);
    for (const k of this.active.keys()) if (toSessionId(k) === id) return k;
    return sessionKey;
  }

  private proposeNow(sessionKey: string, tool: string, args: unknown, signal: AbortSignal, reason?: string): Promise<PlanOutcome> {
    if (signal.aborted) return Promise.resolve('cancelled');
    const now = Date.now();
    const plan: Plan = {
      id: crypto.randomUUID(), session_key: sessionKey, tool, args, status: 'proposed',
      created_at: new Date(now).toISOString(), expires_at: new Date(now + this.ttlMs).toISOString(),
      ...(reason ? { reason } : {}),
    };
    return new Promise<PlanOutcome>((resolve) => {
      const timer = setTimeout(() => settle('expired'), this.ttlMs);
      timer.unref();
      const onAbort = () => settle('cancelled');
      const settle = (outcome: PlanOutcome) => {
        if (this.active.get(sessionKey)?.plan !== plan) return;
        this.active.delete(sessionKey);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        plan.status = outcome;
        this.audit.write({
          actor: outcome === 'approved' || outcome === 'rejected' ? 'owner' : 'system',
          action: `plan_${outcome}`, target: sessionKey, severity: outcome === 'approved' ? 'info' : 'warning',
          status: outcome, context: { plan_id: plan.id, tool },
        });
        resolve(outcome);
      };
      this.active.set(sessionKey, { plan, settle });
      signal.addEventListener('abort', onAbort, { once: true });
      this.audit.write({
        actor: 'agent', action: 'plan_proposed', target: sessionKey, severity: 'warning', status: 'proposed',
        context: { plan_id: plan.id, tool, expires_at: plan.expires_at, ...(reason ? { reason } : {}) },
      });
      this.bus.publish({ type: 'plan_proposed', session_key: sessionKey, plan: { ...plan } });
    });
  }
}
