import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import type { SecretValues } from '../security/secret-values.js';
import { AUDIT_SEVERITIES, type AuditLog } from './log.js';

const tags = ['safety'];
/** The audit trail (commands, logins) is the owner's: scoped API keys need `admin`. */
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

/** The audit log over REST (spec §3.13); `secrets`: exact values to redact from what is read. */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditLog, secrets: SecretValues): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  for (const [path, limit] of [['/api/audit', legacyAuditLimit], ['/api/v1/audit', v1AuditLimit]] as const) {
    r.get(path, {
      config: admin,
      schema: { tags, summary: 'Audit log, newest first (tool use, safety decisions, key changes, logins)', querystring: auditQuery(limit) },
    }, async (req) => {
      const q = req.query;
      // Redacted (spec §6.1): tool parameters and errors may quote secrets; the file keeps them.
      return audit.readForClient({
        limit: q.limit, action: q.action, severity: q.severity as never, actor: q.actor, status: q.status,
        since: q.since ? Date.parse(q.since) : undefined,
      }, secrets);
    });
  }

  for (const path of ['/api/audit', '/api/v1/audit']) {
    r.delete(path, { config: admin, schema: { tags, summary: 'Empty the audit log' } }, async (_req, reply) => {
      try {
        audit.clear();
      } catch (err) {
        const message = (err as Error).message;
        if (path === '/api/audit') return reply.code(500).send({ error: message });
        throw new HttpError(500, message);
      }
      return { ok: true };
    });
  }
}
