import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  method: string;
  url: string;
  /** The scope the route declared; undefined = none (admin-only, src/auth/access.ts). */
  scope: readonly string[] | undefined;
  socket: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered: what `security-audit` reports and the scope-matrix test walks. */
    routeTable: RouteEntry[];
  }
}

/** Records each route as it is added; call before any route is registered. */
export function recordRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = route.config as { scope?: readonly string[]; socket?: boolean } | undefined;
    for (const method of methods) {
      table.push({ method, url: route.url ?? route.path, scope: config?.scope, socket: config?.socket === true });
    }
  });
}
