import type { FastifyInstance } from 'fastify';
import { readConfigFile } from '../config/load.js';

/** Spec §3.7, in PocketPaw's order. */
export const CHANNELS = ['discord', 'slack', 'whatsapp', 'telegram', 'signal', 'matrix', 'teams', 'google_chat'] as const;

export interface ChannelStatus {
  configured: boolean;
  running: boolean;
  autostart: boolean;
  mode?: string;
}

/** PocketPaw channel settings this server does not model, read as the user left them in config.json. */
function rawChannelSettings(configFile: string): { autostart: Record<string, unknown>; whatsappMode: string } {
  let file: Record<string, unknown> = {};
  try {
    file = readConfigFile(configFile);
  } catch {
    // an unreadable config.json already stopped start-up or is reported by health checks
  }
  const autostart = file.channel_autostart && typeof file.channel_autostart === 'object' ? file.channel_autostart as Record<string, unknown> : {};
  // PocketPaw's default mode is `personal` (QR pairing).
  const mode = (typeof file.whatsapp_mode === 'string' ? file.whatsapp_mode : '') || 'personal';
  return { autostart, whatsappMode: mode };
}

/**
 * No messaging channel runs in this server yet, so every channel reports `configured` and
 * `running` false; `autostart` follows `channel_autostart` (missing = true), as in PocketPaw.
 */
export function channelStatus(configFile: string): Record<string, ChannelStatus> {
  const raw = rawChannelSettings(configFile);
  const out: Record<string, ChannelStatus> = {};
  for (const name of CHANNELS) {
    const status: ChannelStatus = { configured: false, running: false, autostart: raw.autostart[name] !== false };
    if (name === 'whatsapp') status.mode = raw.whatsappMode;
    out[name] = status;
  }
  return out;
}

/** `configFile`: PocketPaw's `config.json`, where the channel settings live. */
export function registerChannelRoutes(app: FastifyInstance, configFile: string): void {
  for (const path of ['/api/channels/status', '/api/v1/channels/status']) {
    app.get(path, { config: { scope: ['channels'] }, schema: { tags: ['channels'], summary: 'Messaging channels: configured, running, autostart' } }, async () => channelStatus(configFile));
  }
}
