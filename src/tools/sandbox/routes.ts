import type { FastifyInstance } from 'fastify';
import type { Settings } from '../../config/settings.js';
import type { Sandbox } from './sandbox.js';

export interface SandboxRouteDeps {
  sandbox: Sandbox;
  settings: () => Settings;
}

/** `GET /api/v1/tools/sandbox`: whether shell commands run confined, and why not. */
export function registerSandboxRoutes(app: FastifyInstance, deps: SandboxRouteDeps): void {
  app.get('/api/v1/tools/sandbox', {
    config: { scope: ['settings:read', 'settings:write'] },
    schema: { tags: ['tools'], summary: 'Shell sandbox status: available, why not, network policy, workspace' },
  }, async () => deps.sandbox.status(deps.settings()));
}
