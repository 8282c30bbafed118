import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { assertMayChangeSettings } from '../settings/admin-keys.js';
import { CHANNEL_DEFINITIONS } from './definitions.js';
import { parseChannel, type ChannelManager } from './manager.js';
import { RUNNABLE_CHANNELS, type ChannelName } from './types.js';
import type { SettingsStore } from '../config/settings-store.js';
import { registerTelegramPairingRoutes } from './telegram/pairing-routes.js';
import { hasWebhookReceiver } from './whatsapp/adapter.js';
import type { PairingService } from './lazy-pairing.js';
import { registerWhatsAppRoutes } from './whatsapp/routes.js';

const tags = ['channels'];
const config = { scope: ['channels'] } as const;

/** PocketPaw reads these bodies as plain dicts: a wrong shape is a 400 with a message, not a 422. */
const saveBody = z.object({ channel: z.string(), config: z.record(z.string(), z.unknown()).default({}) });
const toggleBody = z.object({ channel: z.string(), action: z.string() });
const installBody = z.object({ extra: z.string() });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HttpError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

const requireFromHere = createRequire(import.meta.url);

/** Whether a channel's library can be loaded, without loading it. */
function installed(channel: ChannelName): boolean {
  const { package: pkg } = CHANNEL_DEFINITIONS[channel];
  if (!(RUNNABLE_CHANNELS as readonly string[]).includes(channel)) return false;
  if (!pkg) return true;
  try {
    requireFromHere.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

export interface ChannelRouteDeps {
  channels: ChannelManager;
  pairing: PairingService;
  settings: SettingsStore;
}

/** Spec §3.7 on both path families, the WhatsApp webhook, and Telegram pairing (§3.21). */
export function registerChannelRoutes(app: FastifyInstance, deps: ChannelRouteDeps): void {
  const { channels } = deps;
  registerTelegramPairingRoutes(app, { pairing: deps.pairing, settings: deps.settings });
  registerWhatsAppRoutes(app, {
    settings: () => deps.settings.get(),
    receive: (payload) => {
      // The adapter loads lazily: without a running WhatsApp channel there is nothing to feed.
      const adapter = channels.adapter('whatsapp');
      return hasWebhookReceiver(adapter) && adapter.receive(payload);
    },
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const base of ['/api', '/api/v1']) {
    r.get(`${base}/channels/status`, { config, schema: { tags, summary: 'Messaging channels: configured, running, autostart' } }, async () => channels.status());

    r.post(`${base}/channels/save`, { config, schema: { tags, summary: "Save a channel's settings (tokens, allow lists, api_base_url, autostart)" } }, async (req) => {
      const body = parseBody(saveBody, req.body);
      const patch = channels.settingsFor(parseChannel(body.channel), body.config);
      // Tokens, allow lists and API addresses decide who drives the agent and where tokens go:
      // a `channels`-scoped key may switch channels on and off, not change those.
      assertMayChangeSettings(Object.keys(patch), req.auth);
      channels.save(parseChannel(body.channel), body.config);
      return { status: 'ok' };
    });

    r.post(`${base}/channels/toggle`, { config, schema: { tags, summary: 'Start or stop a channel' } }, async (req) => {
      const body = parseBody(toggleBody, req.body);
      const channel = parseChannel(body.channel);
      if (body.action !== 'start' && body.action !== 'stop') throw new HttpError(400, `Unknown action: ${body.action}`);
      return channels.toggle(channel, body.action);
    });

    r.get(`${base}/extras/check`, {
      config, schema: { tags, summary: "Whether a channel's library is installed", querystring: z.object({ channel: z.string() }) },
    }, async (req) => {
      const channel = parseChannel(req.query.channel);
      const pkg = CHANNEL_DEFINITIONS[channel].package;
      return { installed: installed(channel), extra: channel, package: pkg, pip_spec: pkg };
    });

    r.post(`${base}/extras/install`, { config, schema: { tags, summary: "Install a channel's library (ours: they ship with the server)" } }, async (req) => {
      const { extra } = parseBody(installBody, req.body);
      let channel: ChannelName;
      try {
        channel = parseChannel(extra);
      } catch {
        throw new HttpError(400, `Unknown extra: ${extra}`);
      }
      // The libraries ship with the server; the API never runs a package manager.
      if (installed(channel)) return { status: 'ok' };
      return { error: `${channel} is not supported by this server yet` };
    });
  }
}
