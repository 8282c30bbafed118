import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/log.js';
import type { ChatService } from '../chat/service.js';
import type { Settings } from '../config/settings.js';
import type { MediaStore } from '../media/store.js';
import { FailureAudit } from './failure-audit.js';
import { registerInboundRoute } from './inbound.js';
import { registerWebhookRoutes } from './routes.js';
import { WebhookRunner } from './runner.js';
import type { WebhookSlotSource } from './slot.js';
import { WebhookStore } from './store.js';

export type { WebhookSlot, WebhookSlotSource } from './slot.js';

export interface WebhookDeps {
  /** The `webhook_configs` setting: `{ get: () => settings().webhook_configs, save: (l) => settingsStore.update({ webhook_configs: l }) }`. */
  slots: WebhookSlotSource;
  chat: Pick<ChatService, 'runTurn'>;
  media: MediaStore;
  settings: () => Settings;
  audit: Pick<AuditLog, 'write'>;
}

/** Spec §3.12: the admin routes and the public inbound door, sharing one store. */
export function registerWebhooks(app: FastifyInstance, deps: WebhookDeps): void {
  const store = new WebhookStore(deps.slots, () => deps.settings().webhook_sync_timeout);
  registerWebhookRoutes(app, { store, settings: deps.settings, audit: deps.audit });
  registerInboundRoute(app, {
    store, media: deps.media, settings: deps.settings,
    runner: new WebhookRunner(deps.chat),
    failures: new FailureAudit(deps.audit),
  });
}
