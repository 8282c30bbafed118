import fs from 'node:fs';
import type { AuditLog } from '../audit/log.js';
import type { ModelResolver } from '../chat/providers/resolve.js';
import type { SettingsStore } from '../config/settings-store.js';
import { currentTimeTool } from './builtin/current-time.js';
import { fsTools } from './fs/tools.js';
import { workspaceDir } from './fs/jail.js';
import { PolicyGate } from './policy/gate.js';
import { Guardian } from './policy/guardian.js';
import { PLAN_TTL_MS, PlanBook } from './policy/plans.js';
import { ToolRegistry } from './registry.js';
import { shellTool } from './shell/tool.js';
import type { ToolDefinition, ToolGate } from './types.js';

export interface ToolSetupDeps {
  home: string;
  settings: SettingsStore;
  audit: AuditLog;
  /** Tools other capabilities bring (memory, sessions, web). */
  extraTools: ToolDefinition[];
  /** Resolves the Guardian's model (the chat's resolver); without it the Guardian is off. */
  models?: ModelResolver;
  /** Test hook: `POCKETPAW_PLAN_TTL_MS` shortens plan expiry (default 5 minutes, spec §3.15). */
  env?: NodeJS.ProcessEnv;
}

export interface ToolSetup {
  registry: ToolRegistry;
  gate: ToolGate;
  /** Plan mode's proposals (approve / reject over REST and WebSocket). */
  plans: PlanBook;
  close(): void;
}

/** Setups by their audit log: how routes and WebSocket actions, which get the app context, find the plans. */
const setups = new WeakMap<AuditLog, ToolSetup>();

/** The tool setup created with this audit log (the app context's `audit`). */
export function toolSetupOf(ctx: { audit: AuditLog }): ToolSetup | undefined {
  return setups.get(ctx.audit);
}

/** Builds the agent's tools and the gate that polices them. Owned by the tools issue. */
export function createToolSetup(deps: ToolSetupDeps): ToolSetup {
  fs.mkdirSync(workspaceDir(deps.home), { recursive: true, mode: 0o700 });
  // The audit log exists from the first start (the security audit checks for it).
  fs.closeSync(fs.openSync(deps.audit.file, 'a', 0o600));
  const registry = new ToolRegistry().register(currentTimeTool, ...fsTools, shellTool, ...deps.extraTools);
  const ttl = Number(deps.env?.POCKETPAW_PLAN_TTL_MS);
  const plans = new PlanBook(deps.audit, Number.isFinite(ttl) && ttl > 0 ? ttl : PLAN_TTL_MS);
  const gate = new PolicyGate({ audit: deps.audit, plans, guardian: deps.models ? new Guardian(deps.models) : null });
  const setup: ToolSetup = {
    registry, gate, plans,
    close: () => {
      plans.close();
      setups.delete(deps.audit);
    },
  };
  setups.set(deps.audit, setup);
  return setup;
}
