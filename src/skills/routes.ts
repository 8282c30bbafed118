import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireObjectBody } from '../http/body.js';
import { loadSkills, skillRoots, skillSummaries } from './catalog.js';

const tags = ['skills'];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Spec §3.11: listing, reload and removal of skills on disk. Errors are `{"error"}` on the legacy
 * path and `{"detail"}` on the versioned one, as in PocketPaw. Search and install need the
 * network (skills.sh, GitHub) and are not offered by this server.
 */
export function registerSkillRoutes(app: FastifyInstance, home: string): void {
  const roots = () => skillRoots(home);
  for (const prefix of ['/api', '/api/v1']) {
    const fail = (reply: FastifyReply, status: number, message: string) =>
      reply.code(status).send(prefix === '/api' ? { error: message } : { detail: message });
    app.get(`${prefix}/skills`, { config: { scope: ['chat'] }, schema: { tags, summary: 'User-invocable skills, re-read from disk' } }, async () => skillSummaries(loadSkills(roots())));
    app.post(`${prefix}/skills/reload`, { config: { scope: ['chat'] }, schema: { tags, summary: 'Re-read skills from disk' } }, async () => ({
      status: 'ok', count: skillSummaries(loadSkills(roots())).length,
    }));
    app.post(`${prefix}/skills/remove`, { config: { scope: ['admin'] }, schema: { tags, summary: 'Delete an installed skill' } }, async (req, reply) => {
      const body = requireObjectBody(req.body);
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (!name) return fail(reply, 400, "Missing 'name' field");
      if (!NAME_RE.test(name)) return fail(reply, 400, 'Invalid name format');
      const skill = loadSkills(roots()).find((s) => s.name === name || path.basename(s.dir) === name);
      if (!skill) return fail(reply, 404, `Skill '${name}' not found`);
      fs.rmSync(skill.dir, { recursive: true, force: true });
      return { status: 'ok' };
    });
  }
}
