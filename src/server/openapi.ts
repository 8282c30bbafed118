import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { VERSION } from '../version/routes.js';

/** OpenAPI generated from the routes' zod schemas (`/api/v1/openapi.json`) and a docs UI. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'PocketPaw API',
        description: 'Self-hosted AI agent. Wire-compatible with PocketPaw 0.4.4. Authenticate with `Authorization: Bearer <token>` (see `pocketpaw token`).',
        version: VERSION,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/v1/redoc', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/api/v1/docs'));
}
