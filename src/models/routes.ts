import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Settings } from '../config/settings.js';
import { HttpError } from '../http/errors.js';
import { ForbiddenError } from '../lib/errors.js';
import { hasScope } from '../auth/scopes.js';
import { CATALOG_PROVIDERS, listModels, ModelListError } from './catalog.js';
import { changesBaseUrl, testConnection } from './test-connection.js';

const tags = ['models'];
const provider = z.enum(CATALOG_PROVIDERS);

const testBody = z.object({
  provider,
  api_key: z.string().max(4096).nullish(),
  base_url: z.string().max(2048).nullish(),
  model: z.string().max(512).nullish(),
});

/**
 * docs/api.md §4.7 "Models": the models a provider offers, and a connection test with unsaved
 * values. Nothing here saves anything; keys never appear in an answer.
 */
export function registerModelRoutes(app: FastifyInstance, settings: () => Settings): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/models', {
    config: { scope: ['settings:read', 'settings:write'] },
    schema: { tags, summary: "A provider's models: live from the provider, or the known list when it cannot be asked", querystring: z.object({ provider }) },
  }, async (req) => {
    try {
      return await listModels(req.query.provider, settings());
    } catch (err) {
      if (err instanceof ModelListError) throw new HttpError(err.reason === 'config' ? 400 : 502, err.message);
      throw err;
    }
  });

  r.post('/api/v1/models/test', {
    config: { scope: ['settings:write'] },
    schema: { tags, summary: 'Try a provider with typed (unsaved) key and address, falling back to the saved ones; saves nothing', body: testBody },
  }, async (req) => {
    const s = settings();
    // An address other than the saved one is where the saved key would go: as with saving it
    // (ADMIN_SETTINGS), a scoped credential needs admin for that.
    const scopes = req.auth?.scopes;
    if (scopes && !hasScope(scopes, ['admin']) && changesBaseUrl(req.body, s)) {
      throw new ForbiddenError('Testing an address other than the saved one needs an admin credential');
    }
    return testConnection(req.body, s);
  });
}
