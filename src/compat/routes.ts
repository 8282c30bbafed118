import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';

/** Routes PocketPaw's own dashboard and desktop app call (channels status, backends, identity, …). */
export function registerCompatRoutes(_app: FastifyInstance, _ctx: AppContext): void {
  // Filled in by the PocketPaw-clients issue.
}
