import type Database from 'better-sqlite3';
import type { InboundFilter } from '../chat/service.js';
import type { PromptContributor } from '../chat/system-prompt.js';
import type { SettingsStore } from '../config/settings-store.js';
import type { ToolDefinition } from '../tools/types.js';

export interface MemorySetupDeps {
  db: Database.Database;
  home: string;
  settings: SettingsStore;
}

export interface MemorySetup {
  /** remember / recall / forget, web and session tools. */
  tools: ToolDefinition[];
  promptContributors: PromptContributor[];
  inboundFilter?: InboundFilter;
}

/** Long-term memory, the injection scanner and the tools that bring outside text in. Owned by the memory issue. */
export function createMemorySetup(_deps: MemorySetupDeps): MemorySetup {
  return { tools: [], promptContributors: [] };
}
