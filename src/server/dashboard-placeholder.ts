import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version/routes.js';

/** Until the dashboard lands: a page that says the server runs and where the API lives. */
export function registerDashboardPlaceholder(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>PocketPaw</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}a{color:#8ab4f8}}</style></head>
<body><h1>PocketPaw ${VERSION}</h1>
<p>The server is running. The chat dashboard arrives in a coming release.</p>
<p>API reference: <a href="/api/v1/docs">/api/v1/docs</a> · OpenAPI: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>
<p>Your access token: run <code>npx pocketpaw token</code>.</p></body></html>`;
  });
}
