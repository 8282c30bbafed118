import { z } from 'zod';

/**
 * Every setting PocketPaw's API exposes that this implementation reads, with PocketPaw's names
 * and defaults (spec §9.3, §11.11). Names double as `POCKETPAW_<NAME>` environment variables.
 */
export const settingsSchema = z.object({
  web_host: z.string().min(1).default('127.0.0.1'),
  web_port: z.number().int().min(0).max(65535).default(8888),
  localhost_auth_bypass: z.boolean().default(true),
  session_token_ttl_hours: z.number().positive().max(24 * 365).default(24),
  api_cors_allowed_origins: z.array(z.string()).default([]),
  api_rate_limit_per_key: z.number().int().positive().default(60),

  rate_limit_enabled: z.boolean().default(true),
  rate_limit_api_per_second: z.number().positive().default(10),
  rate_limit_api_burst: z.number().int().positive().default(30),
  rate_limit_auth_per_second: z.number().positive().default(1),
  rate_limit_auth_burst: z.number().int().positive().default(5),
  rate_limit_ws_per_second: z.number().positive().default(2),
  rate_limit_ws_burst: z.number().int().positive().default(5),

  file_jail_path: z.string().default(''),
  agent_backend: z.string().default('claude_agent_sdk'),
  llm_provider: z.enum(['auto', 'anthropic', 'openai', 'ollama', 'openai_compatible']).default('auto'),
  anthropic_model: z.string().default('claude-sonnet-4-6'),
  openai_model: z.string().default('gpt-5.2'),
  ollama_host: z.string().default('http://localhost:11434'),
  ollama_model: z.string().default('llama3.2'),
  openai_compatible_base_url: z.string().default(''),
  openai_compatible_model: z.string().default(''),
  memory_backend: z.string().default('file'),
  tool_profile: z.enum(['minimal', 'coding', 'full']).default('full'),
  plan_mode: z.boolean().default(false),
  injection_scan_enabled: z.boolean().default(true),
  welcome_hint_enabled: z.boolean().default(true),
  max_concurrent_conversations: z.number().int().min(1).max(100).default(5),
  webhook_sync_timeout: z.number().int().positive().default(30),
  compaction_recent_window: z.number().int().min(1).default(10),
  compaction_char_budget: z.number().int().min(500).default(8000),
  compaction_summary_chars: z.number().int().min(10).default(150),
  self_audit_enabled: z.boolean().default(true),
  self_audit_schedule: z.string().default('0 3 * * *'),
  owner_id: z.string().default(''),

  // Secrets (spec §9.2): readable from config/env, never returned by the API.
  anthropic_api_key: z.string().default(''),
  openai_api_key: z.string().default(''),
  openai_compatible_api_key: z.string().default(''),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingName = keyof Settings;

/** Spec §9.2: these never leave the server. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'telegram_bot_token', 'openai_api_key', 'anthropic_api_key', 'openai_compatible_api_key',
  'discord_bot_token', 'slack_bot_token', 'slack_app_token', 'whatsapp_access_token',
  'whatsapp_verify_token', 'tavily_api_key', 'brave_search_api_key', 'parallel_api_key',
  'elevenlabs_api_key', 'google_api_key', 'google_oauth_client_id', 'google_oauth_client_secret',
  'spotify_client_id', 'spotify_client_secret', 'matrix_access_token', 'matrix_password',
  'teams_app_id', 'teams_app_password', 'gchat_service_account_key', 'sarvam_api_key',
]);

export const SETTING_NAMES = Object.keys(settingsSchema.shape) as SettingName[];
