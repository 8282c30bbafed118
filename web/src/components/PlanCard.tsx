import { useEffect, useRef } from 'preact/hooks';
import { decidePlan, dismissPlan } from '../state/plans';
import { plans, type PlanCard as Plan } from '../state/stores';
import { useStore } from '../store';
import { IconTool } from './icons';
import './ToolStep.css';
import './PlanCard.css';

function argsText(args: unknown): string {
  if (args === undefined || args === null) return '';
  if (typeof args === 'string') return args;
  const s = JSON.stringify(args, null, 2);
  return s === '{}' ? '' : s;
}

function expiryText(expiresAt: string): string | null {
  const t = Date.parse(expiresAt);
  if (!Number.isFinite(t)) return null;
  return `Expires at ${new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}

const OUTCOME: Partial<Record<Plan['status'], string>> = {
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired: not run',
};

/**
 * Plan mode's approval card (spec §3.15): the tool call PocketPaw wants to make, held until the
 * owner approves or rejects it. Arguments are shown as text, never as HTML.
 */
export function PlanCardView({ sessionId }: { sessionId: string | null }) {
  const card = useStore(plans, (p) => (sessionId ? p.bySession[sessionId] : undefined));
  const ref = useRef<HTMLDivElement>(null);
  const cardId = card?.id;
  useEffect(() => {
    if (cardId) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [cardId]);
  if (!card || !sessionId) return null;

  const open = card.status === 'pending' || card.status === 'sending' || card.status === 'error';
  const titleId = `plan-title-${card.id}`;
  const args = argsText(card.args);
  const expiry = expiryText(card.expiresAt);
  const sending = card.status === 'sending';
  const outcome = OUTCOME[card.status];

  if (!open) {
    return (
      <div ref={ref} class={`tool plan plan-${card.status}`} role="status" data-plan-status={card.status}>
        <div class="plan-line">
          <span class="tool-icon" aria-hidden="true">
            <IconTool />
          </span>
          <code class="tool-name">{card.tool}</code>
          <span class="tool-status">{outcome}</span>
        </div>
      </div>
    );
  }

  return (
    <div ref={ref} class={`tool plan plan-${card.status}`} role="group" aria-labelledby={titleId} data-plan-status={card.status}>
      <div class="plan-line">
        <span class="tool-icon" aria-hidden="true">
          {sending ? <span class="spinner" /> : <IconTool />}
        </span>
        <span id={titleId} class="plan-title">
          PocketPaw wants to run <code class="tool-name">{card.tool}</code>
        </span>
        <span class="tool-status">{sending ? (card.decision === 'reject' ? 'Rejecting…' : 'Approving…') : 'Needs approval'}</span>
      </div>
      <div class="tool-body">
        {card.reason ? <p class="plan-reason">{card.reason}</p> : null}
        {args ? (
          <>
            <div class="tool-label">Arguments</div>
            <pre aria-label={`Arguments for ${card.tool}`}>{args}</pre>
          </>
        ) : null}
        {card.status === 'error' && card.error ? (
          <p class="plan-error" role="alert">
            {card.error}
          </p>
        ) : null}
        <div class="plan-actions">
          {expiry ? <span class="plan-expiry">{expiry}</span> : null}
          {card.status === 'error' ? (
            <button type="button" class="btn btn-small" onClick={() => dismissPlan(sessionId)}>
              Dismiss
            </button>
          ) : null}
          <button type="button" class="btn btn-small" disabled={sending} aria-label={`Reject running ${card.tool}`} onClick={() => decidePlan(sessionId, 'reject')}>
            Reject
          </button>
          <button type="button" class="btn btn-small btn-primary" disabled={sending} aria-label={`Approve running ${card.tool}`} onClick={() => decidePlan(sessionId, 'approve')}>
            Approve
          </button>
        </div>
      </div>
    </div>
  );
}
