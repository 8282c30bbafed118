import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version/routes.js';

/** The built single-page app (scripts/build-web.mjs: web/ → web/dist). */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Vite names built assets by content hash: a changed file gets a new name, so cache for good. */
const HASHED = /[\\/]assets[\\/].+-[\w-]{8,}\.\w+$/;

function notBuiltPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>PocketPaw</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}
code{background:#8882;padding:.1em .35em;border-radius:4px}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}a{color:#8ab4f8}}</style></head>
<body><h1>PocketPaw ${VERSION}</h1>
<p>The server is running, but the dashboard has not been built yet. Run <code>npm run build:web</code>
in the PocketPaw folder (or start it with <code>npm start</code>, which builds it first), then reload this page.</p>
<p>The API works meanwhile: <a href="/api/v1/docs">/api/v1/docs</a> · <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p></body></html>`;
}

/**
 * Dashboard mode only: `/` is the app's index.html (never cached, so a new build shows at once)
 * and `/static/*` its assets (hashed files cached for a year, pre-compressed twins sent to
 * browsers that accept them). Both are public (spec §2.2 step 5); the app then signs in through
 * the API. Without a build, `/` says how to make one.
 */
export async function registerDashboard(app: FastifyInstance, distDir: string = WEB_DIST): Promise<void> {
  const indexFile = path.join(distDir, 'index.html');
  // Imported here: API mode never serves files, so it never loads it (issue 14).
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/static/',
    decorateReply: false,
    index: false,
    wildcard: true,
    preCompressed: true,
    schemaHide: true,
    suppressWarning: true,
    cacheControl: false,
    setHeaders: (reply, filePath) => {
      reply.header('cache-control', HASHED.test(filePath) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    },
  });

  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    let html: string;
    try {
      html = await fs.promises.readFile(indexFile, 'utf8');
    } catch {
      html = notBuiltPage();
    }
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
}
