import { z } from 'zod';

/** A platform id: PocketPaw writes numbers, we keep strings (a Discord snowflake does not fit a double). */
/**
 * One inbound webhook as PocketPaw stores it (spec §3.12). PocketPaw stored whatever the client
 * sent for description and sync_timeout: an odd value must not stop start-up.
 */
export const webhookSlotSchema = z.looseObject({
  name: z.string(),
  secret: z.string(),
  description: z.string().default('').catch(''),
  sync_timeout: z.number().positive().optional().catch(undefined),
});

const idSetting = z.union([z.string(), z.number()]).transform((v) => String(v).trim());

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
  /**
   * Our addition: where the agent's file tools and shell work. Empty means `<data dir>-workspace`,
   * beside the data dir and never inside it (SECURITY.md: nothing of the data dir is reachable).
   */
  workspace_dir: z.string().default(''),
  /** Our addition: the shell sandbox's network — none, only `sandbox_allowed_domains`, or all (HTTP/S through a proxy). */
  sandbox_network: z.enum(['none', 'allowlist', 'all']).default('none'),
  /** Host names (`example.com`, `*.example.com`) the sandbox may reach when `sandbox_network` is `allowlist`. */
  sandbox_allowed_domains: z.array(z.string()).default([]),
  /** Our addition: peers (IP addresses) whose X-Forwarded-Proto is believed, for the cookie's Secure flag. */
  trusted_proxies: z.array(z.string()).default([]),
  /** Our addition: open WebSocket connections allowed from one address at a time. */
  ws_max_connections_per_ip: z.number().int().min(1).max(10_000).default(32),

  // Model and agent (spec §4.5, §9.3).
  agent_backend: z.string().default('claude_agent_sdk'),
  llm_provider: z.enum(['auto', 'anthropic', 'openai', 'ollama', 'openai_compatible']).default('auto'),
  anthropic_model: z.string().default('claude-sonnet-4-6'),
  openai_model: z.string().default('gpt-5.2'),
  ollama_host: z.string().default('http://localhost:11434'),
  ollama_model: z.string().default('llama3.2'),
  openai_compatible_base_url: z.string().default(''),
  openai_compatible_model: z.string().default(''),
  openai_compatible_max_tokens: z.number().int().min(0).max(1_000_000).default(0),
  /** Our addition: point the OpenAI / Anthropic clients at a proxy or gateway. */
  openai_base_url: z.string().default(''),
  anthropic_base_url: z.string().default(''),
  claude_sdk_provider: z.string().default('anthropic'),
  claude_sdk_model: z.string().default(''),
  claude_sdk_max_turns: z.number().int().min(1).max(200).default(25),
  openai_agents_provider: z.string().default('openai'),
  openai_agents_model: z.string().default(''),
  openai_agents_max_turns: z.number().int().min(1).max(200).default(25),
  google_adk_model: z.string().default('gemini-2.5-flash'),
  google_adk_max_turns: z.number().int().min(1).max(200).default(25),
  codex_cli_model: z.string().default(''),
  codex_cli_max_turns: z.number().int().min(1).max(200).default(25),
  copilot_sdk_provider: z.string().default('copilot'),
  copilot_sdk_model: z.string().default(''),
  copilot_sdk_max_turns: z.number().int().min(1).max(200).default(25),
  opencode_base_url: z.string().default('http://localhost:4096'),
  opencode_model: z.string().default(''),
  opencode_max_turns: z.number().int().min(1).max(200).default(25),
  gemini_model: z.string().default('gemini-2.5-flash'),
  /** Our addition: give up on a provider that sends nothing for this long. */
  llm_idle_timeout_seconds: z.number().positive().max(3600).default(120),
  /** Our addition: retries of a failed provider request (429/5xx) before the error is shown. */
  llm_max_retries: z.number().int().min(0).max(5).default(1),
  /** Our addition: a short model-written title after the first exchange. */
  auto_title_llm: z.boolean().default(true),
  bypass_permissions: z.boolean().default(false),
  smart_routing_enabled: z.boolean().default(false),
  model_tier_simple: z.string().default(''),
  model_tier_moderate: z.string().default(''),
  model_tier_complex: z.string().default(''),
  web_search_provider: z.string().default('tavily'),
  url_extract_provider: z.string().default('auto'),
  /** Our addition: let url_extract fetch private, loopback and link-local addresses (off: SSRF guard). */
  web_fetch_allow_private: z.boolean().default(false),
  /** Our addition: the skills index `GET /api/skills/search` asks (`?q=&limit=`); PocketPaw's is skills.sh's. */
  skills_index_url: z.string().default('https://skills.sh/api/search'),
  tts_provider: z.string().default('openai'),
  tts_voice: z.string().default('alloy'),
  stt_provider: z.string().default('openai'),
  stt_model: z.string().default('whisper-1'),
  ocr_provider: z.string().default('openai'),
  sarvam_tts_language: z.string().default('hi-IN'),
  memory_backend: z.string().default('file'),
  memory_use_inference: z.boolean().default(false),
  mem0_auto_learn: z.boolean().default(true),
  mem0_llm_provider: z.string().default('anthropic'),
  mem0_llm_model: z.string().default('claude-haiku-4-5'),
  mem0_embedder_provider: z.string().default('openai'),
  mem0_embedder_model: z.string().default('text-embedding-3-small'),
  mem0_vector_store: z.string().default('qdrant'),
  mem0_ollama_base_url: z.string().default('http://localhost:11434'),
  tool_profile: z.enum(['minimal', 'coding', 'full']).default('full'),
  /** Tool names or `group:<name>` added to / removed from the profile; deny wins. */
  tools_allow: z.array(z.string()).default([]),
  tools_deny: z.array(z.string()).default([]),
  shell_timeout_seconds: z.number().positive().max(3600).default(60),
  /** Our addition: any tool call running longer is stopped and reported to the model as timed out. */
  tool_timeout_seconds: z.number().positive().max(3600).default(120),
  /** A second model call classifies shell commands SAFE/DANGEROUS before they run. */
  guardian_enabled: z.boolean().default(false),
  /** Characters of long-term memory put into the system prompt, most relevant first. */
  memory_prompt_chars: z.number().int().min(0).max(50_000).default(2000),
  plan_mode: z.boolean().default(false),
  plan_mode_tools: z.array(z.string()).default(['shell', 'write_file', 'edit_file']),
  injection_scan_enabled: z.boolean().default(true),
  injection_scan_llm: z.boolean().default(false),
  welcome_hint_enabled: z.boolean().default(true),
  max_concurrent_conversations: z.number().int().min(1).max(100).default(5),
  webhook_sync_timeout: z.number().int().positive().default(30),
  compaction_recent_window: z.number().int().min(1).default(10),
  compaction_char_budget: z.number().int().min(500).default(8000),
  compaction_summary_chars: z.number().int().min(10).default(150),
  self_audit_enabled: z.boolean().default(true),
  self_audit_schedule: z.string().default('0 3 * * *'),
  owner_id: z.string().default(''),
  /** PocketPaw's limit for one uploaded or attached file, in MB (spec §4.7). */
  media_max_file_size_mb: z.number().positive().max(1024).default(20),

  // Messaging channels (spec §3.7, issue 13), PocketPaw's names. Ids are kept as strings:
  // Discord's snowflakes do not fit a JavaScript number.
  channel_autostart: z.record(z.string(), z.boolean()).default({}),
  /** Ours: the tool profile of every turn a channel or webhook user starts; never the owner's powers. */
  channel_tool_profile: z.enum(['minimal', 'coding', 'full']).default('minimal'),
  webhook_tool_profile: z.enum(['minimal', 'coding', 'full']).default('minimal'),
  /** Ours: where reminders and intention results made outside a channel go (`telegram`, or `<channel>:<chat id>`); empty: dashboards only. */
  notify_channel: z.string().default(''),
  allowed_user_id: idSetting.nullable().default(null),
  telegram_api_base_url: z.string().default('https://api.telegram.org'),
  discord_allowed_guild_ids: z.array(idSetting).default([]),
  discord_allowed_user_ids: z.array(idSetting).default([]),
  discord_api_base_url: z.string().default('https://discord.com/api'),
  slack_allowed_channel_ids: z.array(idSetting).default([]),
  slack_api_base_url: z.string().default('https://slack.com/api/'),
  whatsapp_mode: z.string().default('personal'),
  whatsapp_phone_number_id: z.string().default(''),
  whatsapp_allowed_phone_numbers: z.array(idSetting).default([]),
  whatsapp_neonize_db: z.string().default(''),
  whatsapp_api_base_url: z.string().default('https://graph.facebook.com/v21.0'),
  signal_api_url: z.string().default(''),
  signal_phone_number: z.string().default(''),
  signal_allowed_phone_numbers: z.array(idSetting).default([]),
  matrix_homeserver: z.string().default(''),
  matrix_user_id: z.string().default(''),
  matrix_allowed_room_ids: z.array(idSetting).default([]),
  matrix_device_id: z.string().default(''),
  teams_allowed_tenant_ids: z.array(idSetting).default([]),
  teams_webhook_port: z.number().int().min(0).max(65535).default(3978),
  gchat_mode: z.string().default('webhook'),
  gchat_project_id: z.string().default(''),
  gchat_subscription_id: z.string().default(''),
  gchat_allowed_space_ids: z.array(idSetting).default([]),

  // Secrets (spec §9.2): readable from config/env, never returned by the API.
  anthropic_api_key: z.string().default(''),
  openai_api_key: z.string().default(''),
  openai_compatible_api_key: z.string().default(''),
  google_api_key: z.string().default(''),
  tavily_api_key: z.string().default(''),
  brave_search_api_key: z.string().default(''),
  parallel_api_key: z.string().default(''),
  elevenlabs_api_key: z.string().default(''),
  google_oauth_client_id: z.string().default(''),
  google_oauth_client_secret: z.string().default(''),
  spotify_client_id: z.string().default(''),
  spotify_client_secret: z.string().default(''),
  sarvam_api_key: z.string().default(''),
  telegram_bot_token: z.string().default(''),
  discord_bot_token: z.string().default(''),
  slack_bot_token: z.string().default(''),
  slack_app_token: z.string().default(''),
  whatsapp_access_token: z.string().default(''),
  whatsapp_verify_token: z.string().default(''),
  /** Ours: the Meta app secret that signs WhatsApp webhook calls (X-Hub-Signature-256); without it anyone could post as an allowed number. */
  whatsapp_app_secret: z.string().default(''),
  matrix_access_token: z.string().default(''),
  matrix_password: z.string().default(''),
  teams_app_id: z.string().default(''),
  teams_app_password: z.string().default(''),
  gchat_service_account_key: z.string().default(''),
  /**
   * Inbound webhooks (spec §3.12) as PocketPaw stores them: `{name, secret, description,
   * sync_timeout}`. Ours: a secret setting (secrets.json, never returned), since each entry holds one.
   */
  webhook_configs: z.array(webhookSlotSchema).default([]),
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
  'teams_app_id', 'teams_app_password', 'gchat_service_account_key', 'sarvam_api_key', 'whatsapp_app_secret', 'webhook_configs',
]);

/**
 * Settings that redirect traffic (base URLs, hosts, provider keys) or weaken safety (approvals,
 * scanners, tool powers, the auth boundary): a scoped credential needs `admin` to change them,
 * over REST and WebSocket alike (SECURITY.md).
 */
export const ADMIN_SETTINGS: ReadonlySet<string> = new Set([
  // where traffic goes
  'openai_compatible_base_url', 'openai_base_url', 'anthropic_base_url', 'ollama_host', 'opencode_base_url',
  'mem0_ollama_base_url', 'llm_provider', 'web_search_provider', 'url_extract_provider', 'skills_index_url',
  // what the agent may do without asking
  'plan_mode', 'plan_mode_tools', 'injection_scan_enabled', 'injection_scan_llm', 'guardian_enabled',
  'tool_profile', 'tools_allow', 'tools_deny', 'bypass_permissions', 'web_fetch_allow_private',
  'workspace_dir', 'file_jail_path', 'sandbox_network', 'sandbox_allowed_domains', 'shell_timeout_seconds',
  'tool_timeout_seconds',
  // who may drive it
  'localhost_auth_bypass', 'api_cors_allowed_origins', 'trusted_proxies', 'session_token_ttl_hours',
  'api_rate_limit_per_key', 'rate_limit_enabled', 'rate_limit_api_per_second', 'rate_limit_api_burst',
  'rate_limit_auth_per_second', 'rate_limit_auth_burst', 'rate_limit_ws_per_second', 'rate_limit_ws_burst',
  'ws_max_connections_per_ip', 'owner_id', 'web_host', 'web_port',
  // who may reach it from a messaging platform, with which powers, and where its tokens are sent
  'channel_tool_profile', 'webhook_tool_profile', 'notify_channel', 'allowed_user_id',
  'discord_allowed_guild_ids', 'discord_allowed_user_ids', 'slack_allowed_channel_ids', 'whatsapp_allowed_phone_numbers',
  'signal_allowed_phone_numbers', 'matrix_allowed_room_ids', 'teams_allowed_tenant_ids', 'gchat_allowed_space_ids',
  'telegram_api_base_url', 'discord_api_base_url', 'slack_api_base_url', 'whatsapp_api_base_url', 'signal_api_url', 'matrix_homeserver',
  ...SECRET_SETTINGS,
]);

export const SETTING_NAMES = Object.keys(settingsSchema.shape) as SettingName[];
