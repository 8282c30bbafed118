import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';

/** Long-term memory REST (spec §3.4). */
export function registerMemoryRoutes(_app: FastifyInstance, _ctx: AppContext): void {
  // Filled in by the memory issue.
}
