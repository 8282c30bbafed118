/**
 * Plan mode (spec §3.15): a tool call held for the owner's approval shows as a card in its
 * session's chat, with Approve and Reject; the outcome shows for a moment, an error until read.
 */
import { toSessionId, type FrameOf } from '@protocol';
import { link } from './socket';
import { plans, type PlanCard } from './stores';

/** How long an outcome stays on screen before the card goes away. */
const PLAN_OUTCOME_MS = 5000;
const planTimers = new Map<string, ReturnType<typeof setTimeout>>();

function setPlan(sessionId: string, card: PlanCard | null): void {
  clearTimeout(planTimers.get(sessionId));
  planTimers.delete(sessionId);
  plans.set((p) => {
    const bySession = { ...p.bySession };
    if (card) bySession[sessionId] = card;
    else delete bySession[sessionId];
    return { bySession };
  });
}

function patchPlan(sessionId: string, patch: Partial<PlanCard>, planId?: string): void {
  const cur = plans.get().bySession[sessionId];
  if (!cur || (planId && cur.id !== planId)) return;
  setPlan(sessionId, { ...cur, ...patch });
}

/** Shows an outcome, then removes the card (unless a newer plan replaced it). */
function settlePlan(sessionId: string, status: PlanCard['status'], error?: string): void {
  const cur = plans.get().bySession[sessionId];
  if (!cur) return;
  setPlan(sessionId, { ...cur, status, error });
  if (status === 'error') return; // stays until the owner dismisses it or tries again
  planTimers.set(sessionId, setTimeout(() => {
    if (plans.get().bySession[sessionId]?.id === cur.id) setPlan(sessionId, null);
  }, PLAN_OUTCOME_MS));
}

export function onPlanProposed(f: FrameOf<'plan_proposed'>): void {
  const plan = (f.plan && typeof f.plan === 'object' ? f.plan : {}) as Record<string, unknown>;
  const sessionKey = typeof f.session_key === 'string' ? f.session_key : typeof plan.session_key === 'string' ? plan.session_key : '';
  if (!sessionKey) return;
  const sid = toSessionId(sessionKey);
  const card: PlanCard = {
    id: String(plan.id ?? ''),
    sessionKey,
    tool: String(plan.tool ?? 'tool'),
    args: plan.args,
    expiresAt: String(plan.expires_at ?? ''),
    ...(typeof plan.reason === 'string' && plan.reason ? { reason: plan.reason } : {}),
    status: 'pending',
  };
  setPlan(sid, card);
  const left = Date.parse(card.expiresAt) - Date.now();
  if (Number.isFinite(left)) {
    planTimers.set(sid, setTimeout(() => {
      const cur = plans.get().bySession[sid];
      if (cur?.id === card.id && (cur.status === 'pending' || cur.status === 'sending')) settlePlan(sid, 'expired');
    }, Math.max(0, left) + 500));
  }
}

/** The card of the session whose plan answer (or plan error) this is: the one a decision is on its way for. */
function sendingPlanOf(sessionKey: unknown): string | null {
  const all = plans.get().bySession;
  if (typeof sessionKey === 'string') {
    const sid = toSessionId(sessionKey);
    if (all[sid]) return sid;
  }
  for (const [sid, card] of Object.entries(all)) if (card.status === 'sending') return sid;
  return null;
}

/** Approves or rejects the plan shown in a session's chat. */
export function decidePlan(sessionId: string, decision: 'approve' | 'reject'): void {
  const card = plans.get().bySession[sessionId];
  if (!card || card.status === 'sending') return;
  if (!link.sendNow({ action: `${decision}_plan`, session_key: card.sessionKey })) {
    patchPlan(sessionId, { status: 'error', error: 'Not connected: try again once the connection is back.' });
    return;
  }
  patchPlan(sessionId, { status: 'sending', decision, error: undefined });
}

/** Drops a card (after an error the owner has read). */
export function dismissPlan(sessionId: string): void {
  setPlan(sessionId, null);
}

/** `plan_approved` / `plan_rejected`: the outcome of the decision on its way. */
export function onPlanDecided(f: FrameOf<'plan_approved' | 'plan_rejected'>): void {
  const sid = sendingPlanOf(f.session_key);
  if (sid) settlePlan(sid, f.type === 'plan_approved' ? 'approved' : 'rejected');
}

/**
 * An error frame answering a plan decision (its `action` says so) goes on the card that waits for
 * it; true when it did. Any other error, or one without `action` (PocketPaw's), is not the card's.
 */
export function failPlanDecision(action: string | undefined, content: string): boolean {
  const sid = action === 'approve_plan' || action === 'reject_plan' ? sendingPlanOf(undefined) : null;
  if (!sid || plans.get().bySession[sid]?.status !== 'sending') return false;
  settlePlan(sid, 'error', content);
  return true;
}

/** The turn ended: a plan still waiting in this session will not be run any more. */
export function dropOpenPlan(sessionId: string | null): void {
  const card = sessionId ? plans.get().bySession[sessionId] : undefined;
  if (sessionId && card && (card.status === 'pending' || card.status === 'sending')) setPlan(sessionId, null);
}
