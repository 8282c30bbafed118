import type { FastifyInstance } from 'fastify';
import type { Settings } from '../../config/settings.js';
import type { Sandbox } from './sandbox.js';

export interface SandboxRouteDeps {
  sandbox: Sandbox;
  settings: () => Settings;
}

/** The ports `app` listens on (none before `listen`). */
function listeningPorts(app: FastifyInstance): number[] {
  const a = app.server.address();
  return a && typeof a === 'object' ? [a.port] : [];
}

/**
 * `GET /api/v1/tools/sandbox`: whether shell commands run confined, and why not. Also tells the
 * sandbox this server's own port, so its proxy refuses it even when nobody wired `serverPorts`.
 */
export function registerSandboxRoutes(app: FastifyInstance, deps: SandboxRouteDeps): void {
  deps.sandbox.addServerPorts(() => listeningPorts(app));
  app.get('/api/v1/tools/sandbox', {
    config: { scope: ['settings:read', 'settings:write'] },
    schema: { tags: ['tools'], summary: 'Shell sandbox status: available, why not, network policy, workspace' },
  }, async () => deps.sandbox.status(deps.settings()));
}
