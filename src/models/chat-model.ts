import type { Settings } from '../config/settings.js';
import type { ProviderKind } from './resolver.js';

const PROVIDERS: readonly ProviderKind[] = ['anthropic', 'openai', 'ollama', 'openai_compatible'];

const MODEL_SETTING: Record<ProviderKind, keyof Settings> = {
  anthropic: 'anthropic_model', openai: 'openai_model', ollama: 'ollama_model', openai_compatible: 'openai_compatible_model',
};

/** A chat's own model (spec §4.7): `<provider>:<model id>`; the id may itself contain `:` (Ollama tags). */
export function parseChatModel(value: string): { provider: ProviderKind; model: string } | null {
  const cut = value.indexOf(':');
  if (cut <= 0) return null;
  const provider = value.slice(0, cut) as ProviderKind;
  const model = value.slice(cut + 1).trim();
  return PROVIDERS.includes(provider) && model ? { provider, model } : null;
}

/** The settings a turn of this chat runs with: its own model, if it has one, in place of the configured one. */
export function withChatModel(s: Settings, chatModel: string | null): Settings {
  const choice = chatModel ? parseChatModel(chatModel) : null;
  if (!choice) return s;
  return { ...s, llm_provider: choice.provider, [MODEL_SETTING[choice.provider]]: choice.model };
}
