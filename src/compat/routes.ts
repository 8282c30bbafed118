import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { registerIdentityRoutes } from '../identity/routes.js';
import { registerIntentionRoutes } from '../intentions/routes.js';
import { registerReminderRoutes } from '../reminders/routes.js';
import { registerSkillRoutes } from '../skills/routes.js';
import { registerBackendRoutes } from './backends.js';
import { registerChannelRoutes } from './channels.js';
import { registerFileRoutes } from './files.js';

/**
 * Routes PocketPaw's own dashboard and desktop app call beyond sessions and chat: channels
 * status, backends, identity, skills, files, reminders and intentions (spec §3.7–§3.9, §3.11,
 * §3.14, §3.16).
 */
export function registerCompatRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerChannelRoutes(app, ctx);
  registerBackendRoutes(app, ctx);
  registerIdentityRoutes(app, ctx.home);
  registerSkillRoutes(app, ctx.home);
  registerFileRoutes(app, ctx);
  registerReminderRoutes(app, ctx.reminders);
  registerIntentionRoutes(app, ctx.intentions);
}
