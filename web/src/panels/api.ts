/**
 * The REST routes the tool panels use (spec §3.4, §3.6, §3.7, §3.8, §3.12-§3.14, §3.16, §3.21).
 * Refusals arrive as ApiErrors carrying the server's `detail`, which the panels show as they are.
 */
import { json, jsonBody, request } from '../api';
import { RUNNABLE_CHANNELS, type ChannelName, type ChannelStatus, type RunnableChannel, type ToggleResult } from '@protocol';

const enc = encodeURIComponent;
const V = '/api/v1';
const post = <T>(path: string, body?: unknown): Promise<T> => json<T>(`${V}${path}`, { method: 'POST', ...(body === undefined ? {} : jsonBody(body)) });
const del = async (path: string): Promise<void> => {
  await request(`${V}${path}`, { method: 'DELETE' });
};

export interface MemoryEntry {
  id: string;
  content: string;
  timestamp: string;
  tags: string[];
}

export interface Reminder {
  id: string;
  text: string;
  trigger_at: string;
  created_at: string;
  time_remaining?: string;
}

export interface Intention {
  id: string;
  name: string;
  prompt: string;
  trigger: { type?: string; schedule?: string };
  context_sources: string[];
  enabled: boolean;
  created_at: string;
  last_run: string | null;
  next_run: string | null;
}

export const IDENTITY_KEYS = ['identity_file', 'soul_file', 'style_file', 'instructions_file', 'user_file'] as const;
export type IdentityKey = (typeof IDENTITY_KEYS)[number];
export type Identity = Record<IdentityKey, string>;

export interface AuditEvent {
  id: string;
  timestamp: string;
  severity: 'info' | 'warning' | 'critical' | 'alert';
  actor: string;
  action: string;
  target: string;
  status: string;
  context: Record<string, unknown>;
}

export interface HealthCheck {
  check_id: string;
  name: string;
  category: string;
  status: 'ok' | 'warning' | 'critical';
  message: string;
  fix_hint?: string;
}

export interface HealthSummary {
  status: 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
  check_count: number;
  issues: HealthCheck[];
  last_check?: string;
  error?: string | null;
}

export interface HealthError {
  id: string;
  timestamp: string;
  source: string;
  severity: string;
  message: string;
  traceback?: string;
}

export interface FileEntry {
  name: string;
  isDir: boolean;
  size?: string;
}

export interface Listing {
  path: string;
  files: FileEntry[];
  error: string | null;
}

export const memoryApi = {
  list: (q: string): Promise<MemoryEntry[]> => json(`${V}/memory/long_term?limit=200${q.trim() ? `&q=${enc(q.trim())}` : ''}`),
  add: (content: string): Promise<MemoryEntry & { added: boolean }> => post('/memory/long_term', { content }),
  remove: (id: string): Promise<void> => del(`/memory/long_term/${enc(id)}`),
};

export const remindersApi = {
  list: async (): Promise<Reminder[]> => (await json<{ reminders: Reminder[] }>(`${V}/reminders`)).reminders,
  add: async (message: string): Promise<Reminder> => (await post<{ reminder: Reminder }>('/reminders', { message })).reminder,
  remove: (id: string): Promise<void> => del(`/reminders/${enc(id)}`),
};

export const intentionsApi = {
  list: async (): Promise<Intention[]> => (await json<{ intentions: Intention[] }>(`${V}/intentions`)).intentions,
  create: async (name: string, prompt: string, schedule: string): Promise<Intention> =>
    (await post<{ intention: Intention }>('/intentions', { name, prompt, trigger: { type: 'cron', schedule }, context_sources: [], enabled: true })).intention,
  toggle: async (id: string): Promise<Intention> => (await post<{ intention: Intention }>(`/intentions/${enc(id)}/toggle`)).intention,
  run: (id: string): Promise<{ message: string }> => post(`/intentions/${enc(id)}/run`),
  remove: (id: string): Promise<void> => del(`/intentions/${enc(id)}`),
};

export const identityApi = {
  get: (): Promise<Identity> => json(`${V}/identity`),
  put: (patch: Partial<Identity>): Promise<{ ok: boolean; updated: string[] }> =>
    json(`${V}/identity`, { method: 'PUT', ...jsonBody(patch) }),
};

export const auditApi = {
  list: (action: string): Promise<AuditEvent[]> => json(`${V}/audit?limit=300${action ? `&action=${enc(action)}` : ''}`),
};

export const healthApi = {
  /** The legacy path: it carries `last_check`. */
  summary: (): Promise<HealthSummary> => json('/api/health'),
  run: (): Promise<HealthSummary> => post('/health/check'),
  errors: (): Promise<HealthError[]> => json(`${V}/health/errors?limit=20`),
  clearErrors: (): Promise<void> => del('/health/errors'),
};

export const filesApi = {
  browse: (path: string): Promise<Listing> => json(`${V}/files/browse?path=${enc(path)}`),
};

// ---------- messaging channels (spec §3.7), Telegram pairing (§3.21), webhooks (§3.12) ----------


export type { ChannelName, ChannelStatus, RunnableChannel, ToggleResult };
/** Every channel the server lists, in the order the Channels panel shows them. */
export const CHANNEL_NAMES: readonly ChannelName[] = ['telegram', 'discord', 'slack', 'whatsapp', 'signal', 'matrix', 'teams', 'google_chat'];
/** The ones this server can run; the others are only listed. */
export const RUNNABLE = RUNNABLE_CHANNELS;

export const channelsApi = {
  status: (): Promise<Partial<Record<ChannelName, ChannelStatus>>> => json(`${V}/channels/status`),
  save: (channel: ChannelName, config: Record<string, unknown>): Promise<{ status: string }> => post('/channels/save', { channel, config }),
  toggle: (channel: ChannelName, action: 'start' | 'stop'): Promise<ToggleResult> => post('/channels/toggle', { channel, action }),
};

/** Non-secret settings as they are, secrets only as `has_<name>` flags (spec §3.5). */
export type PublicSettings = Record<string, unknown>;

export const settingsApi = {
  get: (): Promise<PublicSettings> => json(`${V}/settings`),
  put: async (settings: PublicSettings): Promise<void> => {
    await request(`${V}/settings`, { method: 'PUT', ...jsonBody({ settings }) });
  },
};

export interface PairingSetup {
  qr_url: string;
  deep_link: string;
  error?: string | null;
}

export const telegramApi = {
  setup: (botToken: string): Promise<PairingSetup> => post('/telegram/setup', { bot_token: botToken }),
  pairingStatus: (): Promise<{ paired: boolean; user_id: number | string | null }> => json(`${V}/telegram/pairing-status`),
};

export interface Webhook {
  name: string;
  description: string;
  /** Masked (`***abcd`): the full secret is only in the answers to add and regenerate. */
  secret: string;
  sync_timeout: number;
  url: string;
}

export interface WebhookAnswer {
  status: string;
  request_id?: string;
  response?: string;
}

export const webhooksApi = {
  list: async (): Promise<Webhook[]> => (await json<{ webhooks: Webhook[] }>(`${V}/webhooks`)).webhooks,
  add: async (name: string, description: string, syncTimeout?: number): Promise<{ name: string; secret: string }> =>
    (await post<{ webhook: { name: string; secret: string } }>('/webhooks/add', {
      name, description, ...(syncTimeout === undefined ? {} : { sync_timeout: syncTimeout }),
    })).webhook,
  remove: async (name: string): Promise<void> => {
    await post('/webhooks/remove', { name });
  },
  regenerate: async (name: string): Promise<string> => (await post<{ secret: string }>('/webhooks/regenerate-secret', { name })).secret,
  /** Calls the public door as an outside caller would, waiting for the agent's answer. */
  test: (name: string, secret: string, content: string): Promise<WebhookAnswer> =>
    json(`/webhook/inbound/${enc(name)}?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': secret },
      body: JSON.stringify({ content, sender: 'dashboard-test' }),
    }),
};
