import type Database from 'better-sqlite3';
import { ModelResolver } from '../models/resolver.js';
import type { InboundFilter } from '../chat/service.js';
import { createSessionTools } from '../tools/sessions/tools.js';
import type { PromptContributor } from '../chat/system-prompt.js';
import type { SettingsStore } from '../config/settings-store.js';
import { createInboundFilter } from '../security/injection/inbound-filter.js';
import type { ToolDefinition } from '../tools/types.js';
import { createWebTools } from '../tools/web/tools.js';
import { createMemoryPromptContributor } from './prompt.js';
import { MemoryStore } from './store.js';
import { createMemoryTools } from './tools.js';

export interface MemorySetupDeps {
  db: Database.Database;
  home: string;
  settings: SettingsStore;
  /** For the optional LLM deep scan of the injection scanner (a private one by default). */
  models?: ModelResolver;
}

export interface MemorySetup {
  /** remember / recall / forget, web_search / url_extract, and the six session tools. */
  tools: ToolDefinition[];
  promptContributors: PromptContributor[];
  inboundFilter?: InboundFilter;
  store: MemoryStore;
}

/**
 * Long-term memory, the injection scanner and the tools around them: memory tools and the
 * memory prompt contributor (src/memory), web tools whose output is scanned (src/tools/web), the
 * session tools (src/tools/sessions/tools.ts), and the inbound filter of spec §6.2
 * (src/security/injection).
 */
export function createMemorySetup(deps: MemorySetupDeps): MemorySetup {
  const store = new MemoryStore(deps.db, deps.home);
  return {
    store,
    tools: [...createMemoryTools(store), ...createWebTools(), ...createSessionTools()],
    promptContributors: [createMemoryPromptContributor(store, deps.settings)],
    inboundFilter: createInboundFilter({ settings: deps.settings, models: deps.models ?? new ModelResolver() }),
  };
}
