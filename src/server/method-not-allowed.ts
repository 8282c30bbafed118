import type { FastifyInstance } from 'fastify';

/**
 * Fastify answers an unknown method on a known path with 404; the spec wants 405
 * (`{"detail":"Method Not Allowed"}`) and an `Allow` header. Routes are recorded as they are
 * added and matched by pattern when a request finds no route.
 */
export function createMethodIndex(app: FastifyInstance) {
  const routes: Array<{ methods: string[]; pattern: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    // OPTIONS (CORS preflight on `*`) and HEAD (implied by GET) say nothing about what a path offers.
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String)
      .filter((m) => m !== 'OPTIONS' && m !== 'HEAD');
    if (methods.length === 0) return;
    const source = route.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ methods, pattern: new RegExp(`^${source}$`) });
  });
  /** Methods other routes offer for this path; empty when the path itself is unknown. */
  return (path: string, method: string): string[] => {
    const allowed = new Set<string>();
    for (const r of routes) if (r.pattern.test(path)) r.methods.forEach((m) => allowed.add(m));
    // The router refused a path that only looks like a route (e.g. an id the router rejects): 404.
    if (allowed.has(method)) return [];
    return [...allowed];
  };
}
