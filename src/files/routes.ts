import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Settings } from '../config/settings.js';
import { browse } from './browse.js';

/** Spec §3.16: the file browser inside `file_jail_path`; problems are soft (200 with `error`). */
export function registerFileRoutes(app: FastifyInstance, settings: () => Settings): void {
  // Lists the owner's folders: `admin` for scoped credentials.
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/files/browse', {
    config: { scope: ['admin'] },
    schema: { tags: ['files'], summary: 'List a directory inside the file jail', querystring: z.object({ path: z.string().default('~') }) },
  }, async (req) => {
    const result = browse(req.query.path, settings().file_jail_path);
    return result.ok ? { path: result.path, files: result.files, error: null } : { path: result.path, files: [], error: result.error };
  });
}
