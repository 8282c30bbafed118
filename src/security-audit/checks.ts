import fs from 'node:fs';
import path from 'node:path';
import { AuditLog } from '../audit/log.js';
import { SECRET_SETTINGS, type Settings } from '../config/settings.js';
import { jailProblem, jailRoot, workspaceDir } from '../tools/fs/jail.js';
import { evaluatePolicy } from '../tools/policy/policy.js';
import { sandboxStatus, type SandboxStatus } from '../tools/sandbox/sandbox.js';

export interface CheckResult {
  check: string;
  passed: boolean;
  message: string;
  fixable: boolean;
}

export interface SecurityReport {
  total: number;
  passed: number;
  issues: number;
  results: CheckResult[];
}

export interface SecurityAuditOptions {
  home: string;
  settings: Settings;
  /** The address the server listens on, when known (else `web_host`). */
  bindHost?: string;
  /** Whether a model is configured (the Guardian needs one). */
  hasModel?: () => Promise<boolean>;
  /** Fix what can be fixed (permissions, a missing audit log or workspace), then check again. */
  fix?: boolean;
  /** The running server's sandbox status; without it, detected here from this process's environment. */
  sandbox?: () => Promise<SandboxStatus>;
}

export interface AuditRun extends SecurityReport {
  /** Checks that failed and were fixed by `fix`. */
  fixed: string[];
}

interface Check {
  label: string;
  run(o: SecurityAuditOptions): Promise<Omit<CheckResult, 'check'>> | Omit<CheckResult, 'check'>;
  fix?(o: SecurityAuditOptions): void;
}

function isLocalOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

function modeOf(file: string): number | null {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return null;
  }
}

const oct = (m: number) => `0${m.toString(8)}`;

/** Files that hold credentials or history: owner-only (600). */
function privateFiles(home: string): string[] {
  const names = ['config.json', 'access_token', 'secrets.json', 'api_keys.json', 'pocketpaw.db', 'pocketpaw.db-wal', 'pocketpaw.db-shm', 'audit.jsonl'];
  return names.map((n) => path.join(home, n)).filter((f) => fs.existsSync(f));
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A token is weak when short or made of few distinct characters (ours are UUID4s). */
export function weakToken(token: string): string | null {
  if (token.length < 24) return `it is only ${token.length} characters long`;
  if (new Set(token).size < 10) return 'it uses very few distinct characters';
  return null;
}

const CHECKS: Check[] = [
  {
    label: 'Config file permissions',
    run({ home }) {
      const problems: string[] = [];
      const dirMode = modeOf(home);
      if (dirMode !== null && (dirMode & 0o077) !== 0) problems.push(`data dir ${home} is ${oct(dirMode)} (want 0700)`);
      for (const f of privateFiles(home)) {
        const m = modeOf(f);
        if (m !== null && (m & 0o077) !== 0) problems.push(`${path.basename(f)} is ${oct(m)} (want 0600)`);
      }
      return problems.length
        ? { passed: false, message: `Readable by other users: ${problems.join('; ')}`, fixable: true }
        : { passed: true, message: 'Data dir is 0700; config, token, keys, database and audit log are 0600', fixable: false };
    },
    fix({ home }) {
      fs.chmodSync(home, 0o700);
      for (const f of privateFiles(home)) fs.chmodSync(f, 0o600);
    },
  },
  {
    label: 'Plaintext API keys',
    run({ home }) {
      const problems: string[] = [];
      const config = readJson(path.join(home, 'config.json')) ?? {};
      const plain = Object.keys(config).filter((k) => SECRET_SETTINGS.has(k) && typeof config[k] === 'string' && config[k] !== '');
      if (plain.length) problems.push(`API keys stored in plain config.json: ${plain.join(', ')} (use POCKETPAW_<NAME> environment variables, or save them in Settings: they go to secrets.json, mode 600)`);
      let token = '';
      try {
        token = fs.readFileSync(path.join(home, 'access_token'), 'utf8').trim();
      } catch {
        // No token yet: one is created (a UUID4) at first start.
      }
      const weak = token ? weakToken(token) : null;
      if (weak) problems.push(`the access token is weak: ${weak} (run \`pocketpaw token --regenerate\`)`);
      return problems.length
        ? { passed: false, message: problems.join('; '), fixable: false }
        : { passed: true, message: 'No API keys in config.json; the access token is strong', fixable: false };
    },
  },
  {
    label: 'Audit log',
    run({ home }) {
      const file = AuditLog.pathIn(home);
      if (!fs.existsSync(file)) return { passed: false, message: `Audit log missing: ${file}`, fixable: true };
      try {
        fs.accessSync(file, fs.constants.W_OK);
      } catch {
        return { passed: false, message: `Audit log not writable: ${file}`, fixable: true };
      }
      if (!fs.statSync(file).isFile()) return { passed: false, message: `Audit log is not a regular file: ${file}`, fixable: false };
      return { passed: true, message: `Audit log OK: ${file}`, fixable: false };
    },
    fix({ home }) {
      const file = AuditLog.pathIn(home);
      fs.closeSync(fs.openSync(file, 'a', 0o600));
      fs.chmodSync(file, 0o600);
    },
  },
  {
    label: 'Guardian agent',
    async run({ settings, hasModel }) {
      if (!settings.guardian_enabled) {
        return { passed: true, message: 'Guardian is off (guardian_enabled); the dangerous-command rails still block before any shell command runs', fixable: false };
      }
      const ok = hasModel ? await hasModel() : true;
      return ok
        ? { passed: true, message: 'Guardian is on: a second model call checks every shell command (fails closed)', fixable: false }
        : { passed: false, message: 'guardian_enabled is on but no model is configured, so no command is checked by the Guardian', fixable: false };
    },
  },
  {
    label: 'File jail',
    run({ home, settings }) {
      const root = jailRoot(settings, home);
      const exposes = jailProblem(settings, home);
      if (exposes) return { passed: false, message: exposes, fixable: false };
      let stat: fs.Stats;
      try {
        stat = fs.statSync(root);
      } catch {
        return { passed: false, message: `File jail path does not exist: ${root}`, fixable: root === workspaceDir(home, settings) };
      }
      if (!stat.isDirectory()) return { passed: false, message: `File jail path is not a directory: ${root}`, fixable: false };
      if (path.resolve(root) === path.parse(root).root) return { passed: false, message: `File jail is the filesystem root (${root}): the agent's file tools can reach every file`, fixable: false };
      return { passed: true, message: `File jail OK: ${root}`, fixable: false };
    },
    fix({ home, settings }) {
      if (jailRoot(settings, home) === workspaceDir(home, settings)) fs.mkdirSync(workspaceDir(home, settings), { recursive: true, mode: 0o700 });
    },
  },
  {
    label: 'Tool profile',
    run({ settings, bindHost }) {
      const host = bindHost ?? settings.web_host;
      const shell = evaluatePolicy(settings, 'shell', ['shell']).allowed;
      if (shell && !isLoopbackHost(host)) {
        return {
          passed: false,
          message: `Tool profile '${settings.tool_profile}' lets the agent run shell commands while the server listens on ${host}, reachable from the network. Bind to 127.0.0.1, or use the 'minimal' profile or tools_deny ["group:shell"]`,
          fixable: false,
        };
      }
      return { passed: true, message: `Tool profile: ${settings.tool_profile}${shell ? ' (shell allowed, local bind only)' : ' (no shell)'}`, fixable: false };
    },
  },
  {
    label: 'Bypass permissions',
    run({ settings, bindHost }) {
      const host = bindHost ?? settings.web_host;
      const problems: string[] = [];
      if (settings.bypass_permissions) problems.push('bypass_permissions is enabled — the agent skips permission prompts');
      if (!isLoopbackHost(host)) {
        problems.push(`the server listens on ${host}, reachable from the network${settings.localhost_auth_bypass ? '; a reverse proxy or tunnel on this machine must send X-Forwarded-For (requests with proxy headers never get the localhost bypass)' : ''}`);
      }
      return problems.length
        ? { passed: false, message: problems.join('; '), fixable: false }
        : { passed: true, message: `Permission prompts enabled; listening on ${host} only${settings.localhost_auth_bypass ? ' (localhost bypass: never for proxied requests)' : ''}`, fixable: false };
    },
  },
  {
    label: 'Shell sandbox',
    async run({ home, settings, sandbox }) {
      const status = sandbox ? await sandbox() : await sandboxStatus({ home, settings });
      if (!status.available) {
        return {
          passed: false,
          message: `No sandbox for shell commands: ${status.reason} Until there is one, every shell command waits for your approval.`,
          fixable: false,
        };
      }
      const net = status.network === 'none' ? 'no network'
        : status.network === 'allowlist' ? `network only to ${status.allowed_domains.length ? status.allowed_domains.join(', ') : '(no hosts listed)'}`
          : 'network to any host (HTTP/S through a filtering proxy; never this server)';
      return {
        passed: true,
        message: `Shell commands run in ${status.kind}: workspace ${status.workspace} read-write, system read-only, the data dir and your home invisible, ${net}, nothing outlives the call`,
        fixable: false,
      };
    },
  },
  {
    label: 'Browser access',
    run({ settings, bindHost }) {
      const host = bindHost ?? settings.web_host;
      const problems: string[] = [];
      const risky = settings.api_cors_allowed_origins.filter((o) => o === '*' || o === 'null' || /^http:\/\//i.test(o) && !isLocalOrigin(o));
      if (risky.length) problems.push(`api_cors_allowed_origins trusts ${risky.join(', ')}: a page there (or anyone who can tamper with plain HTTP on the way) can use this browser's sign-in; list only https origins you control`);
      const origins = settings.api_cors_allowed_origins.length ? `also trusted: ${settings.api_cors_allowed_origins.join(', ')}` : 'no other origins trusted';
      const reach = isLoopbackHost(host) ? `listening on ${host} only` : `listening on ${host}: other devices must send the access token`;
      const bypass = settings.localhost_auth_bypass
        ? 'the localhost sign-in counts only for this machine\'s loopback, a Host naming this server, and no page on another origin'
        : 'localhost sign-in is off: every client sends the token';
      return problems.length
        ? { passed: false, message: problems.join('; '), fixable: false }
        : { passed: true, message: `Pages on other origins are refused (${origins}); ${reach}; ${bypass}; the sign-in cookie is SameSite=Strict`, fixable: false };
    },
  },
  {
    label: 'Approvals',
    run({ settings }) {
      const shell = evaluatePolicy(settings, 'shell', ['shell']).allowed;
      const held = settings.plan_mode ? settings.plan_mode_tools : [];
      const asks = held.length ? `asks before ${held.join(', ')}` : 'asks before nothing (plan mode off)';
      if (shell && settings.sandbox_network === 'all' && !held.includes('shell') && !settings.guardian_enabled) {
        return {
          passed: false,
          message: `The agent runs shell commands that can reach any host without asking, and no Guardian checks them. Turn plan mode on for shell, or limit sandbox_network to an allowlist`,
          fixable: false,
        };
      }
      return { passed: true, message: `The agent ${asks}${settings.guardian_enabled ? '; the Guardian checks every shell command' : ''}`, fixable: false };
    },
  },
];

export const SECURITY_CHECK_LABELS = CHECKS.map((c) => c.label);

async function runChecks(o: SecurityAuditOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of CHECKS) {
    try {
      results.push({ check: c.label, ...(await c.run(o)) });
    } catch (err) {
      // Spec §3.13: a throwing check counts as failed with its error text.
      results.push({ check: c.label, passed: false, message: (err as Error)?.message ?? String(err), fixable: false });
    }
  }
  return results;
}

function summary(results: CheckResult[]): SecurityReport {
  const passed = results.filter((r) => r.passed).length;
  return { total: results.length, passed, issues: results.length - passed, results };
}

/**
 * `pocketpaw security-audit` and `POST /api/security-audit`: PocketPaw's seven checks in its
 * order, each also covering what this server adds (token strength, permissions of every
 * credential file, an exposed bind address, shell on a non-local bind), then three of ours:
 * the shell sandbox, the browser boundary and approvals. With `fix`, fixable
 * failures are fixed and everything is checked again.
 */
export async function runSecurityAudit(o: SecurityAuditOptions): Promise<AuditRun> {
  let results = await runChecks(o);
  const fixed: string[] = [];
  if (o.fix) {
    for (const r of results) {
      const c = CHECKS.find((x) => x.label === r.check);
      if (r.passed || !r.fixable || !c?.fix) continue;
      try {
        c.fix(o);
        fixed.push(r.check);
      } catch {
        // Reported by the second run.
      }
    }
    if (fixed.length) results = await runChecks(o);
  }
  return { ...summary(results), fixed: fixed.filter((label) => results.find((r) => r.check === label)?.passed) };
}
