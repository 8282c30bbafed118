import type { LanguageModel } from 'ai';
import type { Settings } from '../config/settings.js';
import { isOllamaReachable, OllamaChatModel } from './ollama.js';

export type ProviderKind = 'anthropic' | 'openai' | 'ollama' | 'openai_compatible';

export interface ResolvedModel {
  provider: ProviderKind;
  modelId: string;
  model: LanguageModel;
}

export interface NoModel {
  provider: null;
  /** What the user should do, shown in the chat instead of an answer. */
  hint: string;
}

export const NO_MODEL_HINT = [
  'No AI model is configured yet, so I cannot answer. Pick one of these, then send your message again:',
  '',
  '- **Anthropic (Claude) or OpenAI (ChatGPT):** open **Settings → Model**, choose the provider and paste your API key.',
  '- **Ollama (free, runs on this computer):** install Ollama and start it. PocketPaw finds it on its own.',
  '- **Another OpenAI-compatible server** (LM Studio, vLLM, llama.cpp, OpenRouter): open **Settings → Model**, choose "OpenAI-compatible" and enter its address and model name.',
  '',
  'Prefer to set it up before PocketPaw starts? Environment variables work too:',
  '',
  '- `POCKETPAW_ANTHROPIC_API_KEY` or `POCKETPAW_OPENAI_API_KEY`',
  '- `POCKETPAW_OLLAMA_HOST`, if Ollama runs on another computer',
  '- `POCKETPAW_OPENAI_COMPATIBLE_BASE_URL` and `POCKETPAW_OPENAI_COMPATIBLE_MODEL`',
].join('\n');

const OLLAMA_CHECK_TTL_MS = 30_000;

/**
 * PocketPaw's agent backends that run on this server's agent loop, with the settings that pick
 * their provider and model (spec §4.5). Other backends (google_adk, codex_cli, opencode,
 * copilot_sdk) cannot run here; with them `auto` behaves as if no backend were chosen.
 */
export const BACKEND_PROVIDER_SETTINGS = {
  claude_agent_sdk: { provider: 'claude_sdk_provider', model: 'claude_sdk_model', providers: ['anthropic', 'ollama', 'openai_compatible'] },
  openai_agents: { provider: 'openai_agents_provider', model: 'openai_agents_model', providers: ['openai', 'ollama', 'openai_compatible'] },
} as const satisfies Record<string, { provider: keyof Settings; model: keyof Settings; providers: readonly ProviderKind[] }>;

export type RunnableBackend = keyof typeof BACKEND_PROVIDER_SETTINGS;

export function isRunnableBackend(name: string): name is RunnableBackend {
  return Object.hasOwn(BACKEND_PROVIDER_SETTINGS, name);
}

/** The provider the active backend asks for, when it is one of the providers that backend runs on. */
export function backendProvider(s: Settings): { provider: ProviderKind; model: string } | null {
  if (!isRunnableBackend(s.agent_backend)) return null;
  const b = BACKEND_PROVIDER_SETTINGS[s.agent_backend];
  const provider = s[b.provider];
  if (!(b.providers as readonly string[]).includes(provider)) return null;
  return { provider: provider as ProviderKind, model: s[b.model].trim() };
}

/**
 * Picks the model for the next turn from the current settings (spec §9.3). Called per turn, so
 * a settings change applies to the next message. Precedence:
 *
 * 1. `llm_provider` set to a provider: that provider with its own model setting
 *    (`anthropic_model`, `openai_model`, `ollama_model`, `openai_compatible_model`).
 * 2. `llm_provider` = `auto` and the backend is `claude_agent_sdk` or `openai_agents`: the
 *    backend's provider setting (`claude_sdk_provider` / `openai_agents_provider`) when that
 *    provider is set up — Ollama always counts as set up, a key-based provider needs its key, an
 *    OpenAI-compatible server its base URL and a model — with the backend's model setting
 *    (`claude_sdk_model` / `openai_agents_model`), or the provider's own model when that is empty.
 * 3. Otherwise `auto`: the first configured key (Anthropic, OpenAI, OpenAI-compatible), else a
 *    reachable Ollama.
 */
export class ModelResolver {
  private ollamaCheck: { host: string; at: number; ok: boolean } | undefined;

  async resolve(s: Settings): Promise<ResolvedModel | NoModel> {
    if (s.llm_provider === 'auto') {
      const fromBackend = backendProvider(s);
      if (fromBackend && !missingSetting(fromBackend.provider, s, fromBackend.model)) {
        return build(fromBackend.provider, s, fromBackend.model);
      }
    }
    const kind = s.llm_provider === 'auto' ? await this.autoProvider(s) : s.llm_provider;
    if (!kind) return { provider: null, hint: NO_MODEL_HINT };
    const missing = missingSetting(kind, s);
    if (missing) return { provider: null, hint: `${missing}\n\n${NO_MODEL_HINT}` };
    return build(kind, s);
  }

  private async autoProvider(s: Settings): Promise<ProviderKind | null> {
    if (s.anthropic_api_key) return 'anthropic';
    if (s.openai_api_key) return 'openai';
    if (s.openai_compatible_base_url && s.openai_compatible_model) return 'openai_compatible';
    const now = Date.now();
    const cached = this.ollamaCheck;
    const ok = cached && cached.host === s.ollama_host && now - cached.at < OLLAMA_CHECK_TTL_MS
      ? cached.ok
      : await isOllamaReachable(s.ollama_host);
    this.ollamaCheck = { host: s.ollama_host, at: now, ok };
    return ok ? 'ollama' : null;
  }
}

/** The setting `/model` should change so the next turn uses the new model (see the precedence above). */
export function modelSettingFor(s: Settings): keyof Settings | null {
  if (s.llm_provider !== 'auto') return PROVIDER_MODEL_SETTING[s.llm_provider];
  const fromBackend = backendProvider(s);
  if (fromBackend && !missingSetting(fromBackend.provider, s, fromBackend.model)) {
    return BACKEND_PROVIDER_SETTINGS[s.agent_backend as RunnableBackend].model;
  }
  return null;
}

/** The step limit of a turn: the active backend's `*_max_turns` (claude_agent_sdk's for any other backend). */
export function maxTurnsFor(s: Settings): number {
  return s.agent_backend === 'openai_agents' ? s.openai_agents_max_turns : s.claude_sdk_max_turns;
}

const PROVIDER_MODEL_SETTING: Record<ProviderKind, keyof Settings> = {
  anthropic: 'anthropic_model', openai: 'openai_model', ollama: 'ollama_model', openai_compatible: 'openai_compatible_model',
};

/** Why `kind` cannot run with these settings, or null. `model` overrides the provider's own model setting. */
function missingSetting(kind: ProviderKind, s: Settings, model = ''): string | null {
  switch (kind) {
    case 'anthropic': return s.anthropic_api_key ? null : 'The provider is set to Anthropic, but no Anthropic API key is saved.';
    case 'openai': return s.openai_api_key ? null : 'The provider is set to OpenAI, but no OpenAI API key is saved.';
    case 'openai_compatible':
      return s.openai_compatible_base_url && (model || s.openai_compatible_model)
        ? null
        : 'The provider is set to an OpenAI-compatible server, but its base URL or model is not set.';
    case 'ollama': return null;
  }
}

/**
 * The provider packages are imported on the first turn that uses them, not at start-up: each
 * costs start-up time and memory, and most installs use one provider or none (bench/README.md,
 * Footprint). Node caches the import, so later turns pay nothing.
 */
async function build(kind: ProviderKind, s: Settings, model = ''): Promise<ResolvedModel> {
  const modelId = model || s[PROVIDER_MODEL_SETTING[kind]] as string;
  switch (kind) {
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      const anthropic = createAnthropic({ apiKey: s.anthropic_api_key, ...(s.anthropic_base_url ? { baseURL: s.anthropic_base_url } : {}) });
      return { provider: kind, modelId, model: anthropic(modelId) };
    }
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const openai = createOpenAI({ apiKey: s.openai_api_key, ...(s.openai_base_url ? { baseURL: s.openai_base_url } : {}) });
      // `.chat()`: the Chat Completions API, which every OpenAI-style gateway also speaks.
      return { provider: kind, modelId, model: openai.chat(modelId) };
    }
    case 'openai_compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      const compat = createOpenAICompatible({
        name: 'openai_compatible', baseURL: s.openai_compatible_base_url, includeUsage: true,
        ...(s.openai_compatible_api_key ? { apiKey: s.openai_compatible_api_key } : {}),
      });
      return { provider: kind, modelId, model: compat(modelId) };
    }
    case 'ollama':
      return { provider: kind, modelId, model: new OllamaChatModel(modelId, s.ollama_host) };
  }
}
