import type { SettingsStore } from '../config/settings-store.js';
import type { Settings } from '../config/settings.js';

/** camelCase key of the dashboard's settings frame → our setting (spec §4.5). */
const PLAIN: Record<string, keyof Settings> = {
  agentBackend: 'agent_backend', claudeSdkProvider: 'claude_sdk_provider', claudeSdkModel: 'claude_sdk_model',
  claudeSdkMaxTurns: 'claude_sdk_max_turns', openaiAgentsProvider: 'openai_agents_provider',
  openaiAgentsModel: 'openai_agents_model', openaiAgentsMaxTurns: 'openai_agents_max_turns',
  googleAdkModel: 'google_adk_model', googleAdkMaxTurns: 'google_adk_max_turns', codexCliModel: 'codex_cli_model',
  codexCliMaxTurns: 'codex_cli_max_turns', copilotSdkProvider: 'copilot_sdk_provider', copilotSdkModel: 'copilot_sdk_model',
  copilotSdkMaxTurns: 'copilot_sdk_max_turns', opencodeBaseUrl: 'opencode_base_url', opencodeModel: 'opencode_model',
  opencodeMaxTurns: 'opencode_max_turns', llmProvider: 'llm_provider', ollamaHost: 'ollama_host', ollamaModel: 'ollama_model',
  anthropicModel: 'anthropic_model', openaiCompatibleBaseUrl: 'openai_compatible_base_url',
  openaiCompatibleModel: 'openai_compatible_model', openaiCompatibleMaxTokens: 'openai_compatible_max_tokens',
  geminiModel: 'gemini_model', bypassPermissions: 'bypass_permissions', webSearchProvider: 'web_search_provider',
  urlExtractProvider: 'url_extract_provider', injectionScanEnabled: 'injection_scan_enabled',
  injectionScanLlm: 'injection_scan_llm', toolProfile: 'tool_profile', planMode: 'plan_mode',
  smartRoutingEnabled: 'smart_routing_enabled', modelTierSimple: 'model_tier_simple', modelTierModerate: 'model_tier_moderate',
  modelTierComplex: 'model_tier_complex', ttsProvider: 'tts_provider', ttsVoice: 'tts_voice', sttProvider: 'stt_provider',
  sttModel: 'stt_model', ocrProvider: 'ocr_provider', sarvamTtsLanguage: 'sarvam_tts_language',
  selfAuditEnabled: 'self_audit_enabled', selfAuditSchedule: 'self_audit_schedule', memoryBackend: 'memory_backend',
  mem0AutoLearn: 'mem0_auto_learn', mem0LlmProvider: 'mem0_llm_provider', mem0LlmModel: 'mem0_llm_model',
  mem0EmbedderProvider: 'mem0_embedder_provider', mem0EmbedderModel: 'mem0_embedder_model',
  mem0VectorStore: 'mem0_vector_store', mem0OllamaBaseUrl: 'mem0_ollama_base_url',
};

/** `has*` flags for secrets: the dashboard learns that a key is saved, never the key. */
const HAS_SECRET: Record<string, keyof Settings> = {
  hasOpenaiCompatibleKey: 'openai_compatible_api_key', hasGoogleApiKey: 'google_api_key',
  hasAnthropicKey: 'anthropic_api_key', hasOpenaiKey: 'openai_api_key', hasTavilyKey: 'tavily_api_key',
  hasBraveKey: 'brave_search_api_key', hasParallelKey: 'parallel_api_key', hasElevenlabsKey: 'elevenlabs_api_key',
  hasGoogleOAuthId: 'google_oauth_client_id', hasGoogleOAuthSecret: 'google_oauth_client_secret',
  hasSpotifyClientId: 'spotify_client_id', hasSpotifyClientSecret: 'spotify_client_secret', hasSarvamKey: 'sarvam_api_key',
};

export function wsSettingsContent(s: Settings, agentActive: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [camel, key] of Object.entries(PLAIN)) out[camel] = s[key];
  out.planModeTools = s.plan_mode_tools.join(',');
  for (const [camel, key] of Object.entries(HAS_SECRET)) out[camel] = Boolean(s[key]);
  out.agentActive = agentActive;
  out.agentStatus = { status: agentActive ? 'running' : 'stopped', backend: 'AgentLoop' };
  return out;
}

const MAX_TURNS = new Set(['claude_sdk_max_turns', 'openai_agents_max_turns', 'google_adk_max_turns', 'codex_cli_max_turns', 'copilot_sdk_max_turns', 'opencode_max_turns']);
const BOOLEANS = new Set(['bypass_permissions', 'injection_scan_enabled', 'injection_scan_llm', 'plan_mode', 'smart_routing_enabled', 'self_audit_enabled', 'mem0_auto_learn']);
const APPLY_WHEN_PRESENT = new Set(['claude_sdk_model', 'openai_agents_model', 'google_adk_model', 'codex_cli_model', 'copilot_sdk_model', 'opencode_model', 'tts_voice']);
const IGNORED = new Set(['web_host', 'web_port']);

function truthy(v: unknown): boolean {
  if (typeof v === 'string') return ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
  return Boolean(v);
}

/** The settings a `settings` frame names (whatever their values), for the scope check. */
export function wsSettingsKeys(frame: Record<string, unknown>): string[] {
  const keys: string[] = Object.values(PLAIN).filter((key) => key in frame && !IGNORED.has(key));
  if ('plan_mode_tools' in frame) keys.push('plan_mode_tools');
  return keys;
}

/**
 * The dashboard's `settings` action (spec §4.5), applied to the current persisted settings.
 * Values that do not fit are skipped, as PocketPaw skips them, rather than failing the rest.
 */
export function applyWsSettings(frame: Record<string, unknown>, store: SettingsStore): string[] {
  const patch: Record<string, unknown> = {};
  for (const key of Object.values(PLAIN)) {
    if (!(key in frame) || IGNORED.has(key)) continue;
    const v = frame[key];
    if (MAX_TURNS.has(key)) {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 200) patch[key] = v;
    } else if (key === 'openai_compatible_max_tokens') {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000) patch[key] = v;
    } else if (BOOLEANS.has(key)) {
      patch[key] = truthy(v);
    } else if (key === 'openai_compatible_base_url' || key === 'openai_compatible_model') {
      if (v !== null && v !== undefined) patch[key] = String(v);
    } else if (APPLY_WHEN_PRESENT.has(key)) {
      patch[key] = v === null || v === undefined ? '' : String(v);
    } else if (typeof v === 'string' && v !== '') {
      patch[key] = v;
    }
  }
  if ('plan_mode_tools' in frame) {
    const v = frame.plan_mode_tools;
    const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : [];
    patch.plan_mode_tools = list.map((t) => t.trim()).filter(Boolean);
  }
  const applied: string[] = [];
  // One key at a time: a value our schema refuses (an unknown provider name) is skipped alone.
  for (const [key, value] of Object.entries(patch)) {
    try {
      applied.push(...store.update({ [key]: value }));
    } catch {
      // skipped: invalid for this setting
    }
  }
  return applied;
}

/** `save_api_key` providers → setting and the label of the confirmation (spec §4.3). */
export const API_KEY_PROVIDERS: Record<string, { setting: keyof Settings; label: string }> = {
  anthropic: { setting: 'anthropic_api_key', label: 'Anthropic API key' },
  openai: { setting: 'openai_api_key', label: 'OpenAI API key' },
  google: { setting: 'google_api_key', label: 'Google API key' },
  tavily: { setting: 'tavily_api_key', label: 'Tavily API key' },
  brave: { setting: 'brave_search_api_key', label: 'Brave Search API key' },
  parallel: { setting: 'parallel_api_key', label: 'Parallel AI API key' },
  elevenlabs: { setting: 'elevenlabs_api_key', label: 'ElevenLabs API key' },
  google_oauth_id: { setting: 'google_oauth_client_id', label: 'Google OAuth Client ID' },
  google_oauth_secret: { setting: 'google_oauth_client_secret', label: 'Google OAuth Client Secret' },
  spotify_client_id: { setting: 'spotify_client_id', label: 'Spotify Client ID' },
  spotify_client_secret: { setting: 'spotify_client_secret', label: 'Spotify Client Secret' },
  sarvam: { setting: 'sarvam_api_key', label: 'Sarvam AI API key' },
};
