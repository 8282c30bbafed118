import type { FastifyInstance } from 'fastify';
import { requireObjectBody } from '../http/body.js';

/** Spec §3.9. */
export interface BackendInfo {
  name: string;
  displayName: string;
  available: boolean;
  capabilities: string[];
  builtinTools: string[];
  requiredKeys: string[];
  supportedProviders: string[];
  installHint: Record<string, unknown>;
  beta: boolean;
}

const CHOOSE_INSTEAD = 'Choose claude_agent_sdk (providers: anthropic, ollama, openai_compatible) or openai_agents (providers: openai, ollama, openai_compatible) instead';

/** Backends that cannot run here, and what does the same job on this server. */
const UNAVAILABLE: Record<string, string> = {
  google_adk: `Google ADK does not run in PocketPaw (TypeScript). ${CHOOSE_INSTEAD}; for Gemini models use openai_agents with provider openai_compatible and base URL https://generativelanguage.googleapis.com/v1beta/openai/.`,
  codex_cli: `The Codex CLI backend does not run in PocketPaw (TypeScript). ${CHOOSE_INSTEAD}; for OpenAI models use openai_agents with provider openai.`,
  opencode: `The OpenCode backend does not run in PocketPaw (TypeScript). ${CHOOSE_INSTEAD}; point openai_compatible at the server OpenCode would have used.`,
  copilot_sdk: `The GitHub Copilot SDK backend does not run in PocketPaw (TypeScript). ${CHOOSE_INSTEAD}.`,
};

/** The capabilities of this server's agent loop, which both runnable backends use. */
const LOOP_CAPABILITIES = ['streaming', 'tools', 'multi_turn', 'custom_system_prompt'];

/** `toolNames`: the agent's tools, for `builtinTools` (what the agent loop's tool registry holds). */
export function listBackends(toolNames: () => string[]): BackendInfo[] {
  const tools = toolNames().sort();
  const runnable = (name: string, displayName: string, key: string, providers: string[], providerSetting: string, modelSetting: string): BackendInfo => ({
    name, displayName, available: true, capabilities: LOOP_CAPABILITIES, builtinTools: tools, requiredKeys: [key], supportedProviders: providers,
    installHint: {
      built_in: true,
      message: `Built in: runs on this server's agent loop, nothing to install. Pick the provider with ${providerSetting} (${providers.join(', ')}) and the model with ${modelSetting}.`,
    },
    beta: false,
  });
  return [
    runnable('claude_agent_sdk', 'Claude Agent SDK', 'anthropic_api_key', ['anthropic', 'ollama', 'openai_compatible'], 'claude_sdk_provider', 'claude_sdk_model'),
    runnable('openai_agents', 'OpenAI Agents', 'openai_api_key', ['openai', 'ollama', 'openai_compatible'], 'openai_agents_provider', 'openai_agents_model'),
    ...Object.entries(UNAVAILABLE).map(([name, message]): BackendInfo => ({
      name, displayName: name, available: false, capabilities: [], builtinTools: [], requiredKeys: [], supportedProviders: [],
      installHint: { message, alternatives: ['claude_agent_sdk', 'openai_agents'] },
      beta: false,
    })),
  ];
}

export function registerBackendRoutes(app: FastifyInstance, toolNames: () => string[]): void {
  for (const prefix of ['/api', '/api/v1']) {
    app.get(`${prefix}/backends`, { config: { scope: ['settings:read', 'settings:write'] }, schema: { tags: ['backends'], summary: 'Agent backends and whether this server runs them' } }, async () => listBackends(toolNames));
    app.post(`${prefix}/backends/install`, { config: { scope: ['admin'] }, schema: { tags: ['backends'], summary: 'Install a backend (the runnable ones are built in)' } }, async (req) => {
      const body = requireObjectBody(req.body);
      const name = typeof body.backend === 'string' ? body.backend : '';
      const backend = listBackends(toolNames).find((b) => b.name === name);
      if (!backend) return { error: `Unknown backend: ${name}` };
      if (backend.available) return { status: 'ok' };
      return { error: UNAVAILABLE[name]! };
    });
  }
}
