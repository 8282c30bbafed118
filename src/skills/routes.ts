import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../audit/log.js';
import type { Settings } from '../config/settings.js';
import { requireObjectBody } from '../http/body.js';
import { loadSkills, skillRoots, skillSummaries } from './catalog.js';
import { SkillInstallError } from './install/errors.js';
import { installSkills } from './install/install.js';
import { parseInstallSource } from './install/source.js';
import { searchSkills } from './search.js';

const tags = ['skills'];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const intError = 'Input should be a valid integer';

export interface SkillRouteDeps {
  home: string;
  settings: () => Settings;
  audit: Pick<AuditLog, 'write'>;
}

const v1Limit = z.coerce.number({ error: intError }).int(intError)
  .min(1, 'Input should be greater than or equal to 1').max(100, 'Input should be less than or equal to 100').default(30);
/** Legacy: an integer, clamped to 1–100. */
const legacyLimit = z.coerce.number({ error: intError }).int(intError).default(30).transform((n) => Math.max(1, Math.min(n, 100)));

/** The source as the audit log may keep it (no password in a URL). */
function shownSource(source: string): string {
  try {
    return parseInstallSource(source).label;
  } catch {
    return source.trim().slice(0, 300);
  }
}

/**
 * Spec §3.11: listing, reload, removal, search and install of skills. Errors are `{"error"}` on
 * the legacy path and `{"detail"}` on the versioned one, as in PocketPaw. Install writes
 * instructions the agent follows, so it needs `admin`; `dry_run` shows what it would write.
 */
export function registerSkillRoutes(app: FastifyInstance, deps: SkillRouteDeps): void {
  const { home } = deps;
  const roots = () => skillRoots(home);
  const r = app.withTypeProvider<ZodTypeProvider>();
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

    r.get(`${prefix}/skills/search`, {
      config: { scope: ['chat'] },
      schema: {
        tags, summary: 'Search the skills index (setting skills_index_url; skills.sh by default)',
        querystring: z.object({ q: z.string().default(''), limit: prefix === '/api' ? legacyLimit : v1Limit }),
      },
    }, async (req) => searchSkills(deps.settings().skills_index_url, req.query.q.trim(), req.query.limit));

    app.post(`${prefix}/skills/install`, {
      config: { scope: ['admin'] },
      schema: { tags, summary: 'Install skills from owner/repo[/skill], a git URL, an archive URL or a folder; dry_run previews' },
    }, async (req, reply) => {
      const body = requireObjectBody(req.body);
      const dryRun = body.dry_run === true;
      try {
        const result = await installSkills(home, { source: body.source, skill: body.skill, dryRun });
        if (result.status === 'preview') return result;
        deps.audit.write({
          action: 'skill_install', target: result.source, severity: 'warning', status: 'success',
          context: { kind: result.kind, installed: result.installed },
        });
        return { status: 'ok', installed: result.installed };
      } catch (err) {
        if (!(err instanceof SkillInstallError)) throw err;
        if (!dryRun && typeof body.source === 'string' && body.source.trim()) {
          // Refused archives and links are worth the owner's eye, like any failed install.
          deps.audit.write({
            action: 'skill_install', target: shownSource(body.source), severity: 'warning',
            status: err.message.startsWith('Refused:') ? 'block' : 'error', context: { error: err.message },
          });
        }
        return fail(reply, err.status, err.message);
      }
    });
  }
}
