/**
 * The model routes (docs/api.md §4.7 "Models"): which models a provider offers, and a connection
 * test with what is typed in Settings before it is saved.
 */
import { json, jsonBody, type Settings } from './api';

export type ProviderId = 'anthropic' | 'openai' | 'ollama' | 'openai_compatible';

export const PROVIDER_IDS: ProviderId[] = ['anthropic', 'openai', 'ollama', 'openai_compatible'];

export const PROVIDER_LABELS: Record<ProviderId, string> = {
  anthropic: 'Anthropic', openai: 'OpenAI', ollama: 'Ollama', openai_compatible: 'OpenAI-compatible',
};

/** Each provider's model setting (GET/PUT /api/v1/settings). */
export const MODEL_SETTING: Record<ProviderId, string> = {
  anthropic: 'anthropic_model', openai: 'openai_model', ollama: 'ollama_model', openai_compatible: 'openai_compatible_model',
};

export interface ModelOption {
  id: string;
  label?: string;
}

export interface ModelList {
  provider: ProviderId;
  models: ModelOption[];
  source: 'live' | 'known';
}

export interface TestAnswer {
  ok: boolean;
  message: string;
  models?: number;
}

export interface TestRequest {
  provider: ProviderId;
  api_key?: string;
  base_url?: string;
  model?: string;
}

const CACHE_MS = 60_000;
const cache = new Map<ProviderId, { at: number; list: Promise<ModelList> }>();

export const modelsApi = {
  /** The provider's models with the saved settings; cached a minute (`fresh` asks again). */
  list(provider: ProviderId, fresh = false): Promise<ModelList> {
    const hit = cache.get(provider);
    if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.list;
    const list = json<ModelList>(`/api/v1/models?provider=${provider}`);
    cache.set(provider, { at: Date.now(), list });
    list.catch(() => cache.delete(provider));
    return list;
  },

  test(body: TestRequest): Promise<TestAnswer> {
    return json('/api/v1/models/test', { method: 'POST', ...jsonBody(body) });
  },

  /** Forget the cached lists (after saving a key or an address). */
  forget(): void {
    cache.clear();
  },
};

/** Providers the saved settings make usable, for the chat's model menu. */
export function configuredProviders(s: Settings | null): ProviderId[] {
  if (!s) return [];
  const out: ProviderId[] = [];
  if (s.has_anthropic_api_key === true) out.push('anthropic');
  if (s.has_openai_api_key === true) out.push('openai');
  // Only when chosen: asking an Ollama that is not running would only fail.
  if (s.llm_provider === 'ollama') out.push('ollama');
  if (typeof s.openai_compatible_base_url === 'string' && s.openai_compatible_base_url) out.push('openai_compatible');
  if (typeof s.llm_provider === 'string' && PROVIDER_IDS.includes(s.llm_provider as ProviderId) && !out.includes(s.llm_provider as ProviderId)) {
    out.unshift(s.llm_provider as ProviderId);
  }
  return out;
}

/** The model a chat without its own uses, as the server resolves it (src/models/resolver.ts), roughly. */
export function defaultModel(s: Settings | null): { provider: ProviderId; model: string } | null {
  if (!s) return null;
  const str = (k: string) => (typeof s[k] === 'string' ? (s[k] as string) : '');
  let p: ProviderId | null = null;
  if (PROVIDER_IDS.includes(s.llm_provider as ProviderId)) p = s.llm_provider as ProviderId;
  else if (s.has_anthropic_api_key === true) p = 'anthropic';
  else if (s.has_openai_api_key === true) p = 'openai';
  else if (str('openai_compatible_base_url') && str('openai_compatible_model')) p = 'openai_compatible';
  else p = 'ollama';
  return { provider: p, model: str(MODEL_SETTING[p]) };
}

/** `anthropic:claude-sonnet-4-6` → its parts (the id may hold `:`, as Ollama tags do). */
export function splitChatModel(value: string): { provider: ProviderId; model: string } | null {
  const cut = value.indexOf(':');
  if (cut <= 0) return null;
  const provider = value.slice(0, cut) as ProviderId;
  return PROVIDER_IDS.includes(provider) ? { provider, model: value.slice(cut + 1) } : null;
}
