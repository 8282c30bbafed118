import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { ANY_CREDENTIAL } from '../auth/access.js';
import type { Settings } from '../config/settings.js';

const require = createRequire(import.meta.url);
export const VERSION: string = (require('../../package.json') as { version: string }).version;

/**
 * Spec §3.6. `latest` would come from a registry check; this machine does not phone home, so
 * it reports the running version and never claims an update it cannot verify.
 */
/** Any credential may ask which version runs. */
const config = { scope: ANY_CREDENTIAL };

export function registerVersionRoutes(app: FastifyInstance, settings: () => Settings): void {
  app.get('/api/version', { config, schema: { tags: ['health'], summary: 'Running version' } }, async () => ({
    current: VERSION, latest: VERSION, update_available: false,
  }));
  app.get('/api/v1/version', { config, schema: { tags: ['health'], summary: 'Running version and runtime' } }, async () => ({
    version: VERSION, python: `Node.js ${process.version}`, agent_backend: settings().agent_backend,
  }));
}
