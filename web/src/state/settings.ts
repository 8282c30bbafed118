/** The server's settings, as far as the dashboard needs them (the panel, the first-run screen). */
import { api, type Settings } from '../api';
import { app } from './stores';

export async function loadSettings(): Promise<void> {
  try {
    app.set({ settings: await api.getSettings() });
  } catch {
    // shown as "unknown" in the panel; the chat still works
  }
}

/** true: a model is set up; false: none is; 'maybe': automatic mode will look for a local Ollama. */
export function modelConfigured(s: Settings | null): boolean | 'maybe' {
  if (!s) return true;
  const has = (k: string) => s[`has_${k}`] === true;
  const compat = Boolean(s.openai_compatible_base_url) && Boolean(s.openai_compatible_model);
  switch (s.llm_provider) {
    case 'anthropic': return has('anthropic_api_key');
    case 'openai': return has('openai_api_key');
    case 'openai_compatible': return compat;
    case 'ollama': return true;
    default: return has('anthropic_api_key') || has('openai_api_key') || compat ? true : 'maybe';
  }
}
