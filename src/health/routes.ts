import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clampLegacy, legacyLimit, v1Limit } from '../sessions/schemas.js';
import type { ErrorLog } from './error-log.js';
import type { HealthService } from './service.js';

const tags = ['health'];
/** Public, but a caller with a credential sees the checks' details (src/auth/access.ts). */
const identify = { identify: true } as const;
/** Running checks, the error log and its stack traces are the owner's. */
const admin = { scope: ['admin'] } as const;

/**
 * The health probe is public (src/auth/access.ts), so a caller without a credential sees the
 * status and which checks fail, not their messages, hints or details (paths, settings).
 */
function forCaller<T extends { issues: unknown[] }>(summary: T, authenticated: boolean): T {
  if (authenticated) return summary;
  const issues = summary.issues.map((i) => {
    const { check_id, name, category, status } = i as Record<string, unknown>;
    return { check_id, name, category, status };
  });
  return { ...summary, issues };
}

/** Spec §3.6. Failures answer 200 with status "unknown" and the error, as PocketPaw's do. */
export function registerHealthRoutes(app: FastifyInstance, health: HealthService, errors: ErrorLog): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = async <T>(fn: () => T | Promise<T>, fallback: (msg: string) => unknown) => {
    try {
      return await fn();
    } catch (err) {
      return fallback((err as Error).message);
    }
  };
  const failed = (error: string) => ({ status: 'unknown', check_count: 0, issues: [], error });

  r.get('/api/health', { config: identify, schema: { tags, summary: 'Health summary (check details only with a credential)' } }, async (req) =>
    guard(() => forCaller(health.summary(), req.auth !== null), failed));
  r.get('/api/v1/health', { config: identify, schema: { tags, summary: 'Health summary (check details only with a credential)' } }, async (req) =>
    guard(() => {
      const { last_check: _unused, ...rest } = forCaller(health.summary(), req.auth !== null);
      return { ...rest, error: null };
    }, failed));
  // Waits for the database's integrity check too (in a worker: other requests are answered meanwhile).
  for (const path of ['/api/health/check', '/api/v1/health/check']) {
    r.post(path, { config: admin, schema: { tags, summary: 'Run all health checks now' } }, async () =>
      guard(() => health.check(), (error) => ({ status: 'unknown', error })));
  }

  r.get('/api/health/errors', {
    config: admin,
    schema: { tags, summary: 'Recent server errors', querystring: z.object({ limit: legacyLimit(20), search: z.string().default('') }) },
  }, async (req) => guard(() => errors.list(clampLegacy(req.query.limit), req.query.search), () => []));
  r.get('/api/v1/health/errors', {
    config: admin,
    schema: { tags, summary: 'Recent server errors', querystring: z.object({ limit: v1Limit(20, 500), search: z.string().default('') }) },
  }, async (req) => guard(() => errors.list(req.query.limit, req.query.search), () => []));
  for (const path of ['/api/health/errors', '/api/v1/health/errors']) {
    r.delete(path, { config: admin, schema: { tags, summary: 'Clear the error log' } }, async () =>
      guard(() => {
        errors.clear();
        return { cleared: true };
      }, (error) => ({ cleared: false, error })));
  }
}
