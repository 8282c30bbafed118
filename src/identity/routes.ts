import type { FastifyInstance } from 'fastify';
import { requireObjectBody } from '../http/body.js';
import { readIdentity, writeIdentity } from './files.js';

const tags = ['identity'];
const admin = { scope: ['admin'] } as const;

/**
 * Spec §3.8. GET reads the directory PUT writes (`<data dir>/identity/`, spec §10 item 5); the
 * system prompt reads the same files on every turn, so a change applies to the next message.
 */
export function registerIdentityRoutes(app: FastifyInstance, home: string): void {
  for (const path of ['/api/identity', '/api/v1/identity']) {
    app.get(path, { config: admin, schema: { tags, summary: 'The agent\'s identity files' } }, async () => {
      const id = readIdentity(home);
      return {
        identity_file: id.identity_file,
        soul_file: id.soul_file,
        style_file: id.style_file,
        instructions_file: id.instructions_file.trim(),
        user_file: id.user_file.trim(),
      };
    });
    app.put(path, { config: admin, schema: { tags, summary: 'Replace some of the identity files' } }, async (req) => {
      const updated = writeIdentity(home, requireObjectBody(req.body));
      return { ok: true, updated };
    });
  }
}
