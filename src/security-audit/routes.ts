import type { FastifyInstance } from 'fastify';
import type { Settings } from '../config/settings.js';
import type { ModelResolver } from '../models/resolver.js';
import type { Sandbox } from '../tools/sandbox/sandbox.js';
import { runSecurityAudit } from './checks.js';

export interface SecurityAuditDeps {
  home: string;
  settings: () => Settings;
  models: Pick<ModelResolver, 'resolve'>;
  sandbox: Pick<Sandbox, 'status'>;
}

/** The security audit over REST (spec §3.13): the same checks as `pocketpaw security-audit`, for the owner (`admin`). */
export function registerSecurityAuditRoutes(app: FastifyInstance, deps: SecurityAuditDeps): void {
  for (const path of ['/api/security-audit', '/api/v1/security-audit']) {
    app.post(path, { config: { scope: ['admin'] }, schema: { tags: ['safety'], summary: 'Run the security audit (same checks as `pocketpaw security-audit`)' } }, async () => {
      const address = app.server.address();
      const bindHost = typeof address === 'object' && address ? address.address : undefined;
      const settings = deps.settings();
      const { fixed: _fixed, ...report } = await runSecurityAudit({
        home: deps.home, settings, bindHost,
        hasModel: async () => (await deps.models.resolve(settings)).provider !== null,
        sandbox: () => deps.sandbox.status(settings),
      });
      return report;
    });
  }
}
