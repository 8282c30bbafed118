import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { APP_ORIGINS } from '../auth/browser-boundary.js';
import type { Settings } from '../config/settings.js';

/**
 * Spec §2.7, tightened: the desktop app's origins and the owner's `api_cors_allowed_origins`,
 * with credentials. Other `localhost:*` ports are not trusted by default: any program on this
 * machine can serve a page there (SECURITY.md).
 */
export async function registerCors(app: FastifyInstance, settings: () => Settings): Promise<void> {
  await app.register(cors, {
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    origin: (origin, cb) => {
      if (!origin) return cb(null, false);
      cb(null, APP_ORIGINS.has(origin) || settings().api_cors_allowed_origins.includes(origin));
    },
  });
}
