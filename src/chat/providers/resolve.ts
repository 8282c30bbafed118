import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { Settings } from '../../config/settings.js';
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
  'No AI model is configured yet, so I cannot answer.',
  'Set one up in any of these ways, then send your message again:',
  '• Anthropic: set POCKETPAW_ANTHROPIC_API_KEY, or save an Anthropic key in Settings (WebSocket action `save_api_key`).',
  '• OpenAI: set POCKETPAW_OPENAI_API_KEY, or save an OpenAI key in Settings.',
  '• Ollama (local, free): install and run Ollama (it listens on http://localhost:11434), or set POCKETPAW_OLLAMA_HOST.',
  '• Any OpenAI-compatible server (vLLM, llama.cpp, LM Studio, OpenRouter): set POCKETPAW_OPENAI_COMPATIBLE_BASE_URL and POCKETPAW_OPENAI_COMPATIBLE_MODEL.',
].join('\n');

const OLLAMA_CHECK_TTL_MS = 30_000;

/**
 * Picks the model for the next turn from the current settings (spec §9.3). `auto` takes the
 * first configured key (Anthropic, OpenAI, OpenAI-compatible), else a reachable Ollama.
 * Called per turn, so a settings change applies to the next message.
 */
export class ModelResolver {
  private ollamaCheck: { host: string; at: number; ok: boolean } | undefined;

  async resolve(s: Settings): Promise<ResolvedModel | NoModel> {
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

function missingSetting(kind: ProviderKind, s: Settings): string | null {
  switch (kind) {
    case 'anthropic': return s.anthropic_api_key ? null : 'The provider is set to Anthropic, but no Anthropic API key is saved.';
    case 'openai': return s.openai_api_key ? null : 'The provider is set to OpenAI, but no OpenAI API key is saved.';
    case 'openai_compatible':
      return s.openai_compatible_base_url && s.openai_compatible_model
        ? null
        : 'The provider is set to an OpenAI-compatible server, but its base URL or model is not set.';
    case 'ollama': return null;
  }
}

function build(kind: ProviderKind, s: Settings): ResolvedModel {
  switch (kind) {
    case 'anthropic': {
      const modelId = s.anthropic_model;
      const anthropic = createAnthropic({ apiKey: s.anthropic_api_key, ...(s.anthropic_base_url ? { baseURL: s.anthropic_base_url } : {}) });
      return { provider: kind, modelId, model: anthropic(modelId) };
    }
    case 'openai': {
      const modelId = s.openai_model;
      const openai = createOpenAI({ apiKey: s.openai_api_key, ...(s.openai_base_url ? { baseURL: s.openai_base_url } : {}) });
      // `.chat()`: the Chat Completions API, which every OpenAI-style gateway also speaks.
      return { provider: kind, modelId, model: openai.chat(modelId) };
    }
    case 'openai_compatible': {
      const modelId = s.openai_compatible_model;
      const compat = createOpenAICompatible({
        name: 'openai_compatible', baseURL: s.openai_compatible_base_url, includeUsage: true,
        ...(s.openai_compatible_api_key ? { apiKey: s.openai_compatible_api_key } : {}),
      });
      return { provider: kind, modelId, model: compat(modelId) };
    }
    case 'ollama':
      return { provider: kind, modelId: s.ollama_model, model: new OllamaChatModel(s.ollama_model, s.ollama_host) };
  }
}
