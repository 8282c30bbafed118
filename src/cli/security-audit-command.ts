import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { AuditRun } from '../security-audit/checks.js';

function render(run: AuditRun, fix: boolean): string {
  const lines = ['', '='.repeat(60), '  POCKETPAW SECURITY AUDIT', '='.repeat(60), ''];
  for (const r of run.results) {
    if (r.passed) lines.push(`  [${run.fixed.includes(r.check) ? 'FIXED' : 'PASS'}] ${r.check}: ${r.message}`);
    else lines.push(`  [WARN] ${r.check}: ${r.message}${r.fixable && !fix ? ' (fixable with --fix)' : r.fixable ? ' (fix failed)' : ''}`);
  }
  lines.push('', '-'.repeat(60));
  lines.push(`  ${run.passed}/${run.total} ${run.total === 1 ? 'check' : 'checks'} passed${run.fixed.length ? `, ${run.fixed.length} auto-fixed` : ''}`);
  lines.push('-'.repeat(60), '');
  return `${lines.join('\n')}\n`;
}

/**
 * `pocketpaw security-audit [--fix] [--json]`: the checks of `POST /api/security-audit`.
 * Exits 0 when every check passes (after fixing, with --fix), 1 when problems remain.
 */
export async function runSecurityAuditCommand(opts: { fix?: boolean; json?: boolean }): Promise<number> {
  // Loaded here, not with the CLI: the other commands do not need the audit's checks.
  const [{ ModelResolver }, { runSecurityAudit }] = await Promise.all([import('../models/resolver.js'), import('../security-audit/checks.js')]);
  const { home, settings } = loadConfig();
  const models = new ModelResolver();
  const run = await runSecurityAudit({
    home, settings, fix: opts.fix,
    hasModel: async () => (await models.resolve(settings)).provider !== null,
  });
  if (opts.json) {
    const { fixed, ...report } = run;
    process.stdout.write(`${JSON.stringify(opts.fix ? { ...report, fixed } : report, null, 2)}\n`);
  } else {
    process.stdout.write(render(run, Boolean(opts.fix)));
  }
  return run.issues === 0 ? 0 : 1;
}

export function securityAuditCommand(): Command {
  return new Command('security-audit')
    .description('Check file permissions, credentials, bind address and tool settings; --fix repairs permissions')
    .option('--fix', 'fix what can be fixed (file permissions, a missing audit log or workspace)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { fix?: boolean; json?: boolean }) => {
      process.exitCode = await runSecurityAuditCommand(opts);
    });
}
