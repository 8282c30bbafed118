import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { VERSION } from '../version/routes.js';

const DOCS_PREFIX = '/api/v1/docs';
/** The routes @fastify/swagger-ui serves under its prefix (the same table as if it were registered here). */
const DOCS_ROUTES = ['/', '/json', '/yaml', '/static/index.html', '/static/swagger-initializer.js', '/static/*'];
/** The outer reply sets these itself. */
const NOT_FORWARDED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

/**
 * OpenAPI generated from the routes' zod schemas (`/api/v1/openapi.json`) and a docs UI.
 * @fastify/swagger collects the routes as they are added (cheap; the document is built on the
 * first request). The docs UI (@fastify/swagger-ui, which loads @fastify/static and a YAML
 * library) is loaded on the first visit to /api/v1/docs instead of at start-up (issue 14): it
 * runs in a small Fastify instance of its own, holding the finished document, and the routes
 * here forward to it. Auth, security headers and logging stay the main server's.
 */
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
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/v1/redoc', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/api/v1/docs'));

  let docs: Promise<FastifyInstance> | undefined;
  const docsApp = () => (docs ??= createDocsApp(app.swagger() as Record<string, unknown>).catch((err: unknown) => {
    docs = undefined; // a later visit tries again
    throw err;
  }));
  await app.register(async (scope) => {
    for (const url of DOCS_ROUTES) {
      scope.get(url, { schema: { hide: true } }, async (req, reply) => forward(await docsApp(), req, reply));
    }
  }, { prefix: DOCS_PREFIX });
}

async function createDocsApp(document: Record<string, unknown>): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  const docs = Fastify();
  await docs.register(swagger, { mode: 'static', specification: { document: document as never } });
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  await docs.ready();
  return docs;
}

async function forward(docs: FastifyInstance, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const res = await docs.inject({ method: req.method as 'GET' | 'HEAD', url: req.url, headers: req.headers });
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name)) reply.header(name, value);
  }
  return reply.code(res.statusCode).send(res.rawPayload);
}
