import type { AuditLog, AuditSeverity } from '../../audit/log.js';
import { redact } from '../../security/redact.js';
import { checkRails } from '../shell/rails.js';
import { railRefusal } from '../shell/tool.js';
import { ToolRefusedError, type ToolCall, type ToolContext, type ToolDefinition, type ToolGate, type ToolOutcome } from '../types.js';
import type { Guardian } from './guardian.js';
import type { PlanBook } from './plans.js';
import { allowedTools, evaluatePolicy, groupsOf, listCovers } from './policy.js';

/** Characters of one string argument kept in the audit log and plan frames. */
const AUDIT_STRING_CHARS = 2000;
const PLAN_STRING_CHARS = 20_000;

/** Arguments as they may be stored and shown: secrets redacted, long strings cut. */
export function shownArgs(args: unknown, maxString = AUDIT_STRING_CHARS): unknown {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      const cut = v.length > maxString ? `${v.slice(0, maxString)}… [${v.length - maxString} more characters]` : v;
      return redact(cut);
    }
    if (depth > 5 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.slice(0, 100).map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).slice(0, 100).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return walk(args, 0);
}

const SEVERITY_BY_TRUST: Record<ToolDefinition['trust'], AuditSeverity> = { safe: 'info', sensitive: 'warning', dangerous: 'critical' };

export interface PolicyGateDeps {
  audit: AuditLog;
  plans: PlanBook;
  guardian: Guardian | null;
  /**
   * Whether commands run confined. Without a sandbox every `shell`-group call waits for the
   * owner's approval, plan mode or not. Absent (a gate built without one) counts as no sandbox.
   */
  sandbox?: { detect(): Promise<{ available: boolean; reason: string }> };
}

/**
 * The one place where policy meets tool calls (issue 5 scope 7). For every call, in order:
 * the tool must exist and pass the policy (profile, `tools_allow`, `tools_deny`; deny wins) —
 * checked again here although only allowed tools are offered; shell commands must pass the
 * dangerous-command rails and, when `guardian_enabled`, the Guardian; with `plan_mode`, tools in
 * `plan_mode_tools` wait for the owner's approval, and so does every shell call when no sandbox
 * can confine it. Every refusal, start and outcome is audited.
 */
export class PolicyGate implements ToolGate {
  /** Calls refused in `before`: their `after` is already audited. */
  private readonly refused = new WeakSet<ToolCall>();

  constructor(private readonly deps: PolicyGateDeps) {}

  offered(defs: ToolDefinition[], ctx: ToolContext): ToolDefinition[] {
    return allowedTools(ctx.settings, defs);
  }

  async before(call: ToolCall, def: ToolDefinition | undefined, ctx: ToolContext): Promise<void> {
    const s = ctx.settings;
    const base = { session_key: ctx.sessionKey, sender: ctx.sender };
    const refuse = (actor: string, action: string, message: string, context: Record<string, unknown> = {}): never => {
      this.refused.add(call);
      this.deps.audit.write({
        actor, action, target: call.name, severity: 'alert', status: 'block',
        context: { ...base, params: shownArgs(call.args), reason: message, ...context },
      });
      throw new ToolRefusedError(message);
    };

    if (!def) {
      const verdict = evaluatePolicy(s, call.name);
      refuse('policy', 'tool_denied', verdict.allowed
        ? `Tool "${call.name}" does not exist. Use one of the tools you were given.`
        : `Tool "${call.name}" is not allowed (${verdict.reason}). Do not call it again; tell the user it is disabled by the tool policy.`);
    }
    const verdict = evaluatePolicy(s, def!.name, groupsOf(def!));
    if (!verdict.allowed) {
      refuse('policy', 'tool_denied', `Tool "${def!.name}" is not allowed (${verdict.reason}). Do not call it again; tell the user it is disabled by the tool policy.`);
    }

    if (def!.name === 'shell') await this.checkShell(call, ctx, refuse);

    const planned = s.plan_mode && listCovers(s.plan_mode_tools, def!.name, groupsOf(def!));
    const unconfined = def!.group === 'shell' ? await this.unsandboxedReason() : null;
    if (planned || unconfined) {
      const outcome = await this.deps.plans.propose(ctx.sessionKey, def!.name, shownArgs(call.args, PLAN_STRING_CHARS), ctx.signal, planned ? undefined : unconfined!);
      if (outcome !== 'approved') {
        this.refused.add(call);
        const n = def!.name;
        throw new ToolRefusedError((planned ? {
          rejected: `The owner rejected this ${n} call in plan mode; it was not run. Do not retry it; ask the user how to proceed.`,
          expired: `The plan for this ${n} call expired before the owner approved it (plan mode); it was not run.`,
          cancelled: `The ${n} call was cancelled before it was approved (plan mode); it was not run.`,
        } : {
          rejected: `The owner rejected this ${n} call (there is no sandbox, so each command needs approval); it was not run. Do not retry it; ask the user how to proceed.`,
          expired: `This ${n} call expired before the owner approved it (there is no sandbox, so each command needs approval); it was not run.`,
          cancelled: `The ${n} call was cancelled before it was approved (no sandbox); it was not run.`,
        })[outcome]);
      }
    }

    this.deps.audit.write({
      actor: 'agent', action: 'tool_use', target: def!.name, severity: SEVERITY_BY_TRUST[def!.trust], status: 'start',
      context: { ...base, params: shownArgs(call.args) },
    });
  }

  after(call: ToolCall, outcome: ToolOutcome, ctx: ToolContext): void {
    if (this.refused.has(call)) return;
    const refusedByTool = outcome.refused === true;
    this.deps.audit.write({
      actor: 'agent', action: 'tool_use', target: call.name,
      severity: refusedByTool ? 'alert' : outcome.ok ? 'info' : 'warning',
      status: refusedByTool ? 'block' : outcome.ok ? 'success' : 'error',
      context: {
        session_key: ctx.sessionKey, ms: outcome.ms, result_chars: outcome.result.length,
        ...(outcome.ok ? {} : { error: redact(outcome.result.slice(0, AUDIT_STRING_CHARS)) }),
      },
    });
  }

  /** Why commands would run unconfined, as the plan's reason; null when the sandbox works. */
  private async unsandboxedReason(): Promise<string | null> {
    const d = this.deps.sandbox ? await this.deps.sandbox.detect() : { available: false, reason: 'this gate has no sandbox' };
    return d.available ? null : `No sandbox is available (${d.reason}): shell commands need your approval`;
  }

  private async checkShell(call: ToolCall, ctx: ToolContext, refuse: (actor: string, action: string, message: string, context?: Record<string, unknown>) => never): Promise<void> {
    const command = typeof (call.args as { command?: unknown })?.command === 'string' ? (call.args as { command: string }).command : '';
    const hit = checkRails(command);
    if (hit) refuse('rails', 'dangerous_command_blocked', railRefusal(hit.reason), { rule: hit.rule });
    if (!ctx.settings.guardian_enabled || !this.deps.guardian) return;
    const g = await this.deps.guardian.check(command, ctx.settings, ctx.signal);
    if (g.verdict === 'off') return;
    if (g.verdict === 'dangerous') {
      refuse('guardian', 'scan_result', `Command blocked by Guardian: ${g.reason}. It was not run.`);
    }
    this.deps.audit.write({
      actor: 'guardian', action: 'scan_result', target: 'shell', severity: 'info', status: 'allow',
      context: { session_key: ctx.sessionKey, command: shownArgs(command), reason: g.reason },
    });
  }
}
