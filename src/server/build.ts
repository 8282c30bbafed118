import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from '../app/context.js';
import { registerAuditRoutes } from '../audit/routes.js';
import { registerAuth } from '../auth/hook.js';
import { registerAuthRoutes } from '../auth/routes.js';
import { registerChannelRoutes } from '../channels/routes.js';
import { registerWebhooks } from '../webhooks/setup.js';
import { registerChatRoutes } from '../chat/routes.js';
import { registerFileRoutes } from '../files/routes.js';
import { registerIdentityRoutes } from '../identity/routes.js';
import { registerIntentionRoutes } from '../intentions/routes.js';
import { registerBackendRoutes } from '../models/backends.js';
import { registerModelRoutes } from '../models/routes.js';
import { registerReminderRoutes } from '../reminders/routes.js';
import { registerSecurityAuditRoutes } from '../security-audit/routes.js';
import { registerSkillRoutes } from '../skills/routes.js';
import { registerPlanRoutes } from '../tools/policy/routes.js';
import { registerMemoryRoutes } from '../memory/routes.js';
import { registerMcpRoutes } from '../mcp/routes.js';
import { registerMediaRoutes } from '../media/routes.js';
import { registerOAuthCallbackRoute } from '../mcp/oauth/callback-route.js';
import { registerPresetRoutes } from '../mcp/preset-routes.js';
import { registerHealthRoutes } from '../health/routes.js';
import { registerSettingsRoutes } from '../settings/routes.js';
import { registerWebSocket, registerWebSocketPlugin } from '../ws/routes.js';
import { registerSessionRoutes } from '../sessions/routes.js';
import { registerSandboxRoutes } from '../tools/sandbox/routes.js';
import { registerVersionRoutes } from '../version/routes.js';
import { BODY_LIMIT, registerJsonBodies } from './body.js';
import { registerCors } from './cors.js';
import { registerDashboard } from './dashboard.js';
import { answerClientError, registerErrorHandling } from './errors.js';
import { errorForLog, requestForLog } from './log-redaction.js';
import { recordRoutes } from './route-table.js';
import { createMethodIndex } from './method-not-allowed.js';
import { registerOpenApi } from './openapi.js';
import { registerSecurityHeaders } from './security-headers.js';

export type ServerMode = 'dashboard' | 'api';

export interface BuildOptions {
  mode: ServerMode;
  logLevel?: string;
  /** The address the server will listen on: a `Host` naming it counts as this server (src/auth/browser-boundary.ts). */
  listenHost?: string;
}

/** Session ids arrive in paths; allow long ones so they get a 404 from us, not the router. */
const MAX_PARAM_LENGTH = 16 * 1024;

export async function buildServer(ctx: AppContext, options: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]'],
      serializers: { req: requestForLog, err: errorForLog },
    },
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler: answerClientError,
  });
  recordRoutes(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const allowedMethods = createMethodIndex(app);

  registerJsonBodies(app);
  registerErrorHandling(app, ctx.errors);
  app.setNotFoundHandler((request, reply) => {
    const allow = allowedMethods(request.url.split('?')[0]!, request.method);
    if (allow.length) return reply.code(405).header('allow', allow.join(', ')).send({ detail: 'Method Not Allowed' });
    return reply.code(404).send({ detail: 'Not Found' });
  });
  registerSecurityHeaders(app);
  await registerCors(app, ctx.settings);
  await registerWebSocketPlugin(app);
  registerAuth(app, { settings: ctx.settings, limiters: ctx.limiters, credentials: ctx.credentials, listenHost: options.listenHost });
  await registerOpenApi(app);

  registerSessionRoutes(app, ctx.sessions, (id) => ctx.chat.isBusy(id));
  registerChatRoutes(app, ctx.chat, ctx.media);
  registerMediaRoutes(app, ctx.media);
  registerSettingsRoutes(app, ctx.settingsStore);
  registerMemoryRoutes(app, ctx.memory, ctx.settingsStore);
  registerAuditRoutes(app, ctx.audit, ctx.sessions.secrets);
  registerSecurityAuditRoutes(app, { home: ctx.home, settings: ctx.settings, models: ctx.models, sandbox: ctx.tools.sandbox });
  registerPlanRoutes(app, ctx.tools.plans);
  registerSandboxRoutes(app, { sandbox: ctx.tools.sandbox, settings: ctx.settings });
  registerChannelRoutes(app, { channels: ctx.channels, pairing: ctx.telegramPairing, settings: ctx.settingsStore });
  registerWebhooks(app, {
    slots: { get: () => ctx.settings().webhook_configs, save: (list) => void ctx.settingsStore.update({ webhook_configs: list }) },
    chat: ctx.chat, media: ctx.media, settings: ctx.settings, audit: ctx.audit,
  });
  registerBackendRoutes(app, () => ctx.tools.registry.all().map((t) => t.name));
  registerModelRoutes(app, ctx.settings);
  registerIdentityRoutes(app, ctx.home);
  registerSkillRoutes(app, ctx);
  registerMcpRoutes(app, ctx.mcp);
  registerPresetRoutes(app, {
    servers: { configured: () => ctx.mcp.configured(), add: async (config) => void ctx.mcp.add(config), connectNow: (name) => ctx.mcp.connectNow(name) },
  });
  registerOAuthCallbackRoute(app, ctx.mcpOAuth);
  registerFileRoutes(app, ctx.settings);
  registerReminderRoutes(app, ctx.reminders);
  registerIntentionRoutes(app, ctx.intentions);
  await registerWebSocket(app, ctx);
  registerAuthRoutes(app, {
    settings: ctx.settings,
    master: ctx.master,
    apiKeys: ctx.apiKeys,
    credentials: ctx.credentials,
    limiters: ctx.limiters,
    audit: (action, target, context) => ctx.audit.write({ action, target, context }),
  });
  registerHealthRoutes(app, ctx.health, ctx.errors);
  registerVersionRoutes(app, ctx.settings);
  if (options.mode === 'dashboard') await registerDashboard(app);

  await app.ready();
  return app;
}
