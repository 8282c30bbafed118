import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.js';
import { AUDIT_SEVERITIES } from '../audit/log.js';
import { ModelResolver } from '../models/resolver.js';
import { HttpError } from '../http/errors.js';
import { runSecurityAudit } from './security-audit.js';

const tags = ['safety'];
/** The audit trail (commands, logins), the security audit and plan decisions are the owner's: scoped API keys need `admin`. */
const admin = { scope: ['admin'] } as const;

const intError = 'Input should be a valid integer';

function auditQuery(limit: z.ZodType<number, unknown>) {
  return z.object({
    limit,
    action: z.string().min(1).optional().describe('Only events with this action (e.g. tool_use, dangerous_command_blocked, login_failure)'),
    severity: z.enum(AUDIT_SEVERITIES as [string, ...string[]]).optional().describe('Only events of this severity'),
    actor: z.string().min(1).optional().describe('Only events by this actor (agent, policy, rails, guardian, owner, api_client)'),
    status: z.string().min(1).optional().describe('Only events with this status (e.g. start, success, error, block)'),
    since: z.string().refine((s) => Number.isFinite(Date.parse(s)), { message: 'Input should be an ISO-8601 date or time' }).optional()
      .describe('Only events at or after this time (ISO-8601)'),
  });
}

const v1AuditLimit = z.coerce.number({ error: intError }).int(intError)
  .min(1, 'Input should be greater than or equal to 1').max(1000, 'Input should be less than or equal to 1000').default(100);
/** Legacy: an integer, clamped to 0–1000 (as the session routes clamp theirs). */
const legacyAuditLimit = z.coerce.number({ error: intError }).int(intError).default(100).transform((n) => Math.max(0, Math.min(n, 1000)));

const planBody = z.object({
  session_key: z.string({ error: 'Input should be a valid string' }).min(1, 'String should have at least 1 character'),
});

/** Audit log, security audit and plan approval REST (spec §3.13, §3.15). */
export function registerSafetyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  for (const [path, limit] of [['/api/audit', legacyAuditLimit], ['/api/v1/audit', v1AuditLimit]] as const) {
    r.get(path, {
      config: admin,
      schema: { tags, summary: 'Audit log, newest first (tool use, safety decisions, key changes, logins)', querystring: auditQuery(limit) },
    }, async (req) => {
      const q = req.query;
      // Redacted (spec §6.1): tool parameters and errors may quote secrets; the file keeps them.
      return ctx.audit.readForClient({
        limit: q.limit, action: q.action, severity: q.severity as never, actor: q.actor, status: q.status,
        since: q.since ? Date.parse(q.since) : undefined,
      }, ctx.sessions.secrets);
    });
  }

  for (const path of ['/api/audit', '/api/v1/audit']) {
    r.delete(path, { config: admin, schema: { tags, summary: 'Empty the audit log' } }, async (_req, reply) => {
      try {
        ctx.audit.clear();
      } catch (err) {
        const message = (err as Error).message;
        if (path === '/api/audit') return reply.code(500).send({ error: message });
        throw new HttpError(500, message);
      }
      return { ok: true };
    });
  }

  const models = new ModelResolver();
  for (const path of ['/api/security-audit', '/api/v1/security-audit']) {
    r.post(path, { config: admin, schema: { tags, summary: 'Run the security audit (same checks as `pocketpaw security-audit`)' } }, async () => {
      const address = app.server.address();
      const bindHost = typeof address === 'object' && address ? address.address : undefined;
      const settings = ctx.settings();
      const { fixed: _fixed, ...report } = await runSecurityAudit({
        home: ctx.home, settings, bindHost,
        hasModel: async () => (await models.resolve(settings)).provider !== null,
        sandbox: () => ctx.tools.sandbox.status(settings),
      });
      return report;
    });
  }

  for (const [verb, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    r.post(`/api/v1/plan/${verb}`, {
      config: admin,
      schema: { tags, summary: `${verb === 'approve' ? 'Approve' : 'Reject'} the proposed plan of a session (plan mode)`, body: planBody },
    }, async (req) => {
      const sessionKey = req.body.session_key;
      if (!ctx.tools.plans.decide(sessionKey, decision)) throw new HttpError(404, `No active plan to ${verb}`);
      return { session_key: sessionKey, action: decision };
    });
  }
}
