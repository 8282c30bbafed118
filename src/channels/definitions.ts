import type { Settings } from '../config/settings.js';
import type { ChannelName, CreateAdapter, InboundMessage } from './types.js';

/** What the channel layer knows about one platform, apart from its adapter. */
export interface ChannelDefinition {
  /** `channels/save` config keys → setting names (spec §3.7); `api_base_url` is ours on every channel. */
  keys: Record<string, keyof Settings>;
  /** Required settings are set (spec §3.7 "configured"). */
  configured(s: Settings): boolean;
  /** Why the channel may not start with these settings (an empty allow list), or null. */
  refusal(s: Settings): string | null;
  /** Whether this sender, in this chat, may talk to the agent. Only called after `refusal` passed. */
  allows(s: Settings, m: InboundMessage): boolean;
  /** The npm package the adapter runs on (`extras/check`); empty when it needs none. */
  package: string;
  /** Loads the adapter module on first start, so an unused platform's library never loads. */
  load?: () => Promise<CreateAdapter>;
  /** The chat a bare `notify_channel: "<channel>"` delivers to: the owner's own chat, when the allow list names one. */
  ownerChat?(s: Settings): string | null;
}

const set = (v: string) => v.trim() !== '';
const inList = (list: readonly string[], id: string | undefined) => id !== undefined && list.includes(id);

const notRunnable = (what: string): Pick<ChannelDefinition, 'refusal' | 'allows' | 'package'> => ({
  refusal: () => `${what} is not supported by this server yet; its settings are kept for PocketPaw compatibility`,
  allows: () => false,
  package: '',
});

export const CHANNEL_DEFINITIONS: Record<ChannelName, ChannelDefinition> = {
  discord: {
    keys: {
      bot_token: 'discord_bot_token', allowed_guild_ids: 'discord_allowed_guild_ids',
      allowed_user_ids: 'discord_allowed_user_ids', api_base_url: 'discord_api_base_url',
    },
    configured: (s) => set(s.discord_bot_token),
    refusal: (s) => (s.discord_allowed_user_ids.length === 0 && s.discord_allowed_guild_ids.length === 0
      ? 'Discord has no allow list: add your user id to allowed_user_ids (or a server id to allowed_guild_ids) so strangers cannot drive your agent'
      : null),
    // Both lists apply when set, as in PocketPaw; a DM has no guild, so a guild-only list refuses DMs.
    allows: (s, m) => (s.discord_allowed_guild_ids.length === 0 || inList(s.discord_allowed_guild_ids, m.groupId))
      && (s.discord_allowed_user_ids.length === 0 || inList(s.discord_allowed_user_ids, m.senderId)),
    package: 'discord.js',
    load: async () => (await import('./discord/adapter.js')).createDiscordAdapter,
  },
  slack: {
    keys: {
      bot_token: 'slack_bot_token', app_token: 'slack_app_token',
      allowed_channel_ids: 'slack_allowed_channel_ids', api_base_url: 'slack_api_base_url',
    },
    configured: (s) => set(s.slack_bot_token) && set(s.slack_app_token),
    refusal: (s) => (s.slack_allowed_channel_ids.length === 0
      ? 'Slack has no allow list: add the channel ids the bot may answer in to allowed_channel_ids'
      : null),
    allows: (s, m) => inList(s.slack_allowed_channel_ids, m.chatId),
    package: '@slack/bolt',
    load: async () => (await import('./slack/adapter.js')).createSlackAdapter,
    ownerChat: (s) => s.slack_allowed_channel_ids[0] ?? null,
  },
  whatsapp: {
    keys: {
      mode: 'whatsapp_mode', neonize_db: 'whatsapp_neonize_db', access_token: 'whatsapp_access_token',
      phone_number_id: 'whatsapp_phone_number_id', verify_token: 'whatsapp_verify_token',
      allowed_phone_numbers: 'whatsapp_allowed_phone_numbers', api_base_url: 'whatsapp_api_base_url',
      app_secret: 'whatsapp_app_secret',
    },
    // PocketPaw counts personal mode (QR pairing) as configured; this server cannot run it, so only
    // the Cloud API's token and phone number id count (docs/api.md §10).
    configured: (s) => set(s.whatsapp_access_token) && set(s.whatsapp_phone_number_id),
    refusal: (s) => {
      if (s.whatsapp_mode === 'personal') {
        return 'WhatsApp personal mode (QR pairing) is not supported by this server: set mode to "business" and use the WhatsApp Cloud API';
      }
      if (!set(s.whatsapp_access_token) || !set(s.whatsapp_phone_number_id)) return 'WhatsApp needs access_token and phone_number_id';
      if (!set(s.whatsapp_verify_token)) return 'WhatsApp needs a verify_token: Meta sends it when you register the webhook';
      if (!set(s.whatsapp_app_secret)) return 'WhatsApp needs the app secret (app_secret): it proves each webhook call comes from Meta';
      if (s.whatsapp_allowed_phone_numbers.length === 0) return 'WhatsApp has no allow list: add your phone number to allowed_phone_numbers';
      return null;
    },
    allows: (s, m) => inList(s.whatsapp_allowed_phone_numbers.map(digits), digits(m.senderId)),
    package: '',
    load: async () => (await import('./whatsapp/adapter.js')).createWhatsAppAdapter,
    ownerChat: (s) => (s.whatsapp_allowed_phone_numbers[0] ? digits(s.whatsapp_allowed_phone_numbers[0]) : null),
  },
  telegram: {
    keys: { bot_token: 'telegram_bot_token', allowed_user_id: 'allowed_user_id', api_base_url: 'telegram_api_base_url' },
    configured: (s) => set(s.telegram_bot_token),
    refusal: (s) => (s.allowed_user_id === null || s.allowed_user_id === ''
      ? 'Telegram has no allowed user: pair your account from the dashboard (Channels → Telegram) or set allowed_user_id'
      : null),
    allows: (s, m) => m.senderId === s.allowed_user_id,
    package: 'grammy',
    load: async () => (await import('./telegram/adapter.js')).createTelegramAdapter,
    // A private chat's id is the user's id.
    ownerChat: (s) => s.allowed_user_id || null,
  },
  signal: {
    keys: { api_url: 'signal_api_url', phone_number: 'signal_phone_number', allowed_phone_numbers: 'signal_allowed_phone_numbers' },
    configured: (s) => set(s.signal_phone_number),
    ...notRunnable('Signal'),
  },
  matrix: {
    keys: {
      homeserver: 'matrix_homeserver', user_id: 'matrix_user_id', access_token: 'matrix_access_token',
      password: 'matrix_password', allowed_room_ids: 'matrix_allowed_room_ids', device_id: 'matrix_device_id',
    },
    configured: (s) => set(s.matrix_homeserver) && set(s.matrix_user_id),
    ...notRunnable('Matrix'),
  },
  teams: {
    keys: { app_id: 'teams_app_id', app_password: 'teams_app_password', allowed_tenant_ids: 'teams_allowed_tenant_ids', webhook_port: 'teams_webhook_port' },
    configured: (s) => set(s.teams_app_id) && set(s.teams_app_password),
    ...notRunnable('Microsoft Teams'),
  },
  google_chat: {
    keys: {
      mode: 'gchat_mode', service_account_key: 'gchat_service_account_key', project_id: 'gchat_project_id',
      subscription_id: 'gchat_subscription_id', allowed_space_ids: 'gchat_allowed_space_ids',
    },
    configured: (s) => set(s.gchat_service_account_key),
    ...notRunnable('Google Chat'),
  },
};

/** Phone numbers compare by digits: `+1 555-0100` and `15550100` are one number. */
function digits(v: string): string {
  return v.replace(/\D/g, '');
}
