import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';

/** Audit log, security audit and plan approval REST (spec §3.13, §3.15). */
export function registerSafetyRoutes(_app: FastifyInstance, _ctx: AppContext): void {
  // Filled in by the tools issue.
}
