import type { FastifyInstance } from 'fastify';
import type { ServerMode } from './build.js';
import type { AppContext } from '../app/context.js';

export interface StartOptions {
  mode: ServerMode;
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  logLevel?: string;
  /** False: the caller starts channels itself (the CLI's `--telegram` …); else those with `autostart` start. */
  autostartChannels?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

export const DEFAULT_PORTS: Record<ServerMode, number> = { dashboard: 8888, api: 8000 };

/**
 * Creates the context, builds the server and listens. Used by the CLI and by tests alike.
 * The app and the server are imported here, not at the top: the CLI imports this module for
 * every command, and `sessions list` or `token` should not load the whole server (issue 14).
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const [{ buildServer }, { createAppContext }] = await Promise.all([import('./build.js'), import('../app/context.js')]);
  const ctx = createAppContext(options.env);
  let app: FastifyInstance | undefined;
  try {
    const host = options.host ?? ctx.settings().web_host;
    app = await buildServer(ctx, { mode: options.mode, logLevel: options.logLevel, listenHost: host });
    const port = options.port ?? (options.mode === 'dashboard' ? ctx.settings().web_port : DEFAULT_PORTS.api);
    try {
      await app.listen({ host, port });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new PortInUseError(`Port ${port} on ${host} is already in use. Is PocketPaw already running? Stop it, or pick another port with --port.`);
      }
      throw err;
    }
    ctx.startSchedules();
    // The database's integrity check (a worker thread reading the whole file) starts once the
    // server listens: start-up never waits for it, and health answers from the other checks meanwhile.
    ctx.health.start();
    // In the background: a platform that is slow to answer never delays the first request.
    if (options.autostartChannels !== false) void ctx.channels.autostart();
    const address = app.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    // The sandbox's proxy must never connect the agent to this server (the owner API).
    ctx.tools.sandbox.addServerPorts(() => [actualPort]);
    // OAuth sign-ins send the browser back to where this server really listens.
    ctx.mcpOAuth.listeningAt(host, actualPort);
    const shownHost = host.includes(':') ? `[${host}]` : host;
    let closing: Promise<void> | undefined;
    const running: RunningServer = {
      app, ctx, port: actualPort, url: `http://${shownHost}:${actualPort}`,
      // Turns first (their streams end and partial answers are stored), then sockets, then the DB.
      close: () => (closing ??= ctx.chat.close().then(() => app!.close()).finally(() => ctx.close())),
    };
    return running;
  } catch (err) {
    await app?.close().catch(() => undefined);
    await ctx.close();
    throw err;
  }
}
