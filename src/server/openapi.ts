import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { VERSION } from '../version/routes.js';

const DOCS_PREFIX = '/api/v1/docs';
/** The routes @fastify/swagger-ui serves under its prefix (the same table as if it were registered here). */
const DOCS_ROUTES = ['/', '/json', '/yaml', '/static/index.html', '/static/swagger-initializer.js', '/static/*'];
/** The outer reply sets these itself. */
const NOT_FORWARDED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

const OPENAPI = {
  info: {
    title: 'PocketPaw API',
    description: 'Self-hosted AI agent. Wire-compatible with PocketPaw 0.4.4. Authenticate with `Authorization: Bearer <token>` (see `pocketpaw token`).',
    version: VERSION,
  },
  components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
  security: [{ bearer: [] as string[] }],
};

/**
 * OpenAPI generated from the routes' zod schemas (`/api/v1/openapi.json`) and a docs UI, both
 * built on first use (issue 14): loading and registering @fastify/swagger at start-up cost
 * ~65 ms and ~4 MB for a document most runs never serve. The routes are recorded as they are
 * added (an onRoute hook, cheap); the first request replays them, schemas only, into a small
 * Fastify instance with @fastify/swagger, which builds the document once. The docs UI
 * (@fastify/swagger-ui, @fastify/static, a YAML library) runs in another small instance holding
 * the finished document, and the routes here forward to it. Auth, security headers and
 * logging stay the main server's.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  let built: Promise<Record<string, unknown>> | undefined;
  const openApi = () => (built ??= buildDocument(routes).catch((err: unknown) => {
    built = undefined; // a later request tries again
    throw err;
  }));
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => openApi());
  app.get('/api/v1/redoc', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/api/v1/docs'));

  let docs: Promise<FastifyInstance> | undefined;
  const docsApp = () => (docs ??= openApi().then(createDocsApp).catch((err: unknown) => {
    docs = undefined;
    throw err;
  }));
  await app.register(async (scope) => {
    for (const url of DOCS_ROUTES) {
      scope.get(url, { schema: { hide: true } }, async (req, reply) => forward(await docsApp(), req, reply));
    }
  }, { prefix: DOCS_PREFIX });
}

/** The document @fastify/swagger makes for `routes`, as if it had been registered with them. */
async function buildDocument(routes: readonly RouteOptions[]): Promise<Record<string, unknown>> {
  const { default: swagger } = await import('@fastify/swagger');
  // HEAD routes are replayed as recorded, so the replay must not add its own.
  const replay = Fastify({ exposeHeadRoutes: false });
  replay.setValidatorCompiler(validatorCompiler);
  replay.setSerializerCompiler(serializerCompiler);
  await replay.register(swagger, { openapi: OPENAPI, transform: jsonSchemaTransform });
  for (const route of routes) {
    replay.route({ method: route.method, url: route.url, schema: route.schema, handler: () => null });
  }
  await replay.ready();
  const document = replay.swagger() as Record<string, unknown>;
  await replay.close();
  return document;
}

async function createDocsApp(document: Record<string, unknown>): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
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
