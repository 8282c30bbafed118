import type { AuditLog } from '../audit/log.js';
import type { SettingsStore } from '../config/settings-store.js';
import { currentTimeTool } from './builtin/current-time.js';
import { openGate, ToolRegistry } from './registry.js';
import type { ToolDefinition, ToolGate } from './types.js';

export interface ToolSetupDeps {
  home: string;
  settings: SettingsStore;
  audit: AuditLog;
  /** Tools other capabilities bring (memory, sessions, web). */
  extraTools: ToolDefinition[];
}

export interface ToolSetup {
  registry: ToolRegistry;
  gate: ToolGate;
  close(): void;
}

/** Builds the agent's tools and the gate that polices them. Owned by the tools issue. */
export function createToolSetup(deps: ToolSetupDeps): ToolSetup {
  const registry = new ToolRegistry().register(currentTimeTool, ...deps.extraTools);
  return { registry, gate: openGate, close: () => undefined };
}
