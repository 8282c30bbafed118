import fs from 'node:fs';
import path from 'node:path';
import type { AuditLog } from '../audit/log.js';
import type { LiveBus } from '../events/live-bus.js';
import type { ModelResolver } from '../models/resolver.js';
import type { SettingsStore } from '../config/settings-store.js';
import { currentTimeTool } from './builtin/current-time.js';
import { fsTools } from './fs/tools.js';
import { jailProblem, legacyWorkspaceDir, workspaceDir } from './fs/jail.js';
import { PolicyGate } from './policy/gate.js';
import { Guardian } from './policy/guardian.js';
import { PLAN_TTL_MS, PlanBook } from './policy/plans.js';
import { ToolRegistry } from './registry.js';
import { Sandbox } from './sandbox/sandbox.js';
import { createSessionTools } from './sessions/tools.js';
import { createShellTool } from './shell/tool.js';
import type { ToolDefinition, ToolGate } from './types.js';
import { createWebTools } from './web/tools.js';

export interface ToolSetupDeps {
  home: string;
  settings: SettingsStore;
  audit: AuditLog;
  /** Where plan proposals go to the dashboards. */
  bus: Pick<LiveBus, 'publish'>;
  /** Tools other capabilities bring (memory). */
  extraTools: ToolDefinition[];
  /** Resolves the Guardian's model (the chat's resolver); without it the Guardian is off. */
  models?: ModelResolver;
  /**
   * The server's environment (default `process.env`): PATH to find bubblewrap, the locale for
   * commands, `POCKETPAW_SANDBOX=off`. Test hook: `POCKETPAW_PLAN_TTL_MS` shortens plan expiry
   * (default 5 minutes, spec §3.15).
   */
  env?: NodeJS.ProcessEnv;
}

export interface ToolSetup {
  registry: ToolRegistry;
  gate: ToolGate;
  /** Plan mode's proposals (approve / reject over REST and WebSocket). */
  plans: PlanBook;
  /** The shell's bubblewrap sandbox and its network proxy (status for the route and the security audit). */
  sandbox: Sandbox;
  close(): void;
}

/** Builds the agent's tools (built-in, files, shell, web, sessions, and what others bring) and the gate that polices them. */
export function createToolSetup(deps: ToolSetupDeps): ToolSetup {
  prepareWorkspace(deps);
  // The audit log exists from the first start (the security audit checks for it).
  fs.closeSync(fs.openSync(deps.audit.file, 'a', 0o600));
  const sandbox = new Sandbox({
    home: deps.home, settings: () => deps.settings.get(), env: deps.env ?? process.env,
    onRefuse: (r) => deps.audit.write({
      actor: 'sandbox', action: 'sandbox_network_blocked', target: `${r.host}:${r.port}`, severity: 'warning', status: 'block',
      context: { reason: r.reason },
    }),
  });
  const registry = new ToolRegistry().register(currentTimeTool, ...fsTools, createShellTool(sandbox), ...createWebTools(), ...createSessionTools(), ...deps.extraTools);
  const ttl = Number(deps.env?.POCKETPAW_PLAN_TTL_MS);
  const plans = new PlanBook(deps.audit, deps.bus, Number.isFinite(ttl) && ttl > 0 ? ttl : PLAN_TTL_MS);
  const gate = new PolicyGate({ audit: deps.audit, plans, guardian: deps.models ? new Guardian(deps.models) : null, sandbox });
  const setup: ToolSetup = {
    registry, gate, plans, sandbox,
    close: () => {
      plans.close();
      sandbox.close();
    },
  };
  return setup;
}

/**
 * Creates the workspace, outside the data dir. A workspace from before it moved
 * (`<data dir>/workspace`) is moved to the new place when that does not exist yet. With a jail
 * that would expose the data dir nothing is created: tool calls are refused and say why.
 */
function prepareWorkspace(deps: ToolSetupDeps): void {
  const settings = deps.settings.get();
  if (jailProblem(settings, deps.home)) return;
  const ws = workspaceDir(deps.home, settings);
  const legacy = legacyWorkspaceDir(deps.home);
  if (fs.existsSync(legacy) && !fs.existsSync(ws)) {
    try {
      fs.mkdirSync(path.dirname(ws), { recursive: true });
      fs.renameSync(legacy, ws);
      process.stderr.write(`PocketPaw: moved the agent's workspace out of the data dir, from ${legacy} to ${ws}\n`);
    } catch (err) {
      process.stderr.write(`PocketPaw: could not move the agent's workspace from ${legacy} to ${ws} (${(err as Error).message}); move it yourself, it is no longer used\n`);
    }
  }
  fs.mkdirSync(ws, { recursive: true, mode: 0o700 });
}
