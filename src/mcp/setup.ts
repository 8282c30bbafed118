import type { Settings } from '../config/settings.js';
import { usableJailRoot } from '../tools/fs/jail.js';
import type { ToolSetup } from '../tools/setup.js';
import { McpManager } from './manager.js';
import { createMcpToolSource } from './tool-source.js';
import type { McpOAuth } from './types.js';

export interface McpSetupDeps {
  home: string;
  settings: () => Settings;
  tools: Pick<ToolSetup, 'registry' | 'sandbox'>;
  env: NodeJS.ProcessEnv;
  /** Browser OAuth for remote servers with `oauth: true` (wired by the OAuth module). */
  oauth?: McpOAuth;
  log?: (message: string) => void;
}

/**
 * The MCP manager of the app: its servers' tools join the registry (asked every turn), and the
 * enabled servers start connecting in the background — the caller never waits for them.
 */
export function createMcpManager(deps: McpSetupDeps): McpManager {
  const manager = new McpManager({
    home: deps.home,
    workspace: () => usableJailRoot(deps.settings(), deps.home),
    sandbox: deps.tools.sandbox,
    env: deps.env,
    oauth: deps.oauth,
    log: deps.log,
  });
  deps.tools.registry.addSource(createMcpToolSource(manager));
  manager.start();
  return manager;
}
