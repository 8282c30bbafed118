import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../config/settings.js';

const FIXED_ORIGINS = new Set(['tauri://localhost', 'https://tauri.localhost', 'http://localhost:1420']);
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/;

/** Spec §2.7: the desktop app, local pages and configured origins, with credentials. */
export async function registerCors(app: FastifyInstance, settings: () => Settings): Promise<void> {
  await app.register(cors, {
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    origin: (origin, cb) => {
      if (!origin) return cb(null, false);
      const ok = FIXED_ORIGINS.has(origin) || LOCAL_ORIGIN.test(origin) || settings().api_cors_allowed_origins.includes(origin);
      cb(null, ok);
    },
  });
}
