import fs from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { createAppContext, type AppContext } from '../../../src/app/context.js';
import { registerAuth } from '../../../src/auth/hook.js';
import { registerJsonBodies } from '../../../src/server/body.js';
import { registerErrorHandling } from '../../../src/server/errors.js';
import { registerSecurityHeaders } from '../../../src/server/security-headers.js';
import { request, type HttpResult, type RequestOptions } from '../http.js';
import { tempDir } from '../pocketpaw-fixture.js';

export interface McpRoutesServer {
  url: string;
  port: number;
  home: string;
  token: string;
  ctx: AppContext;
  get(path: string, opts?: RequestOptions): Promise<HttpResult>;
  post(path: string, json?: unknown, opts?: RequestOptions): Promise<HttpResult>;
  /** From 127.0.0.2: loopback, but not the owner (no localhost bypass). */
  remote(path: string, opts?: RequestOptions): Promise<HttpResult>;
  close(): Promise<void>;
}

/**
 * PocketPaw's real edge (the app context, the auth hook with its public-route list and scopes,
 * JSON bodies, the error mapper, security headers) on an ephemeral port, with the routes under
 * test registered by `register`. The MCP routes are not wired into `buildServer` yet; once they
 * are, tests can use `startTestServer` instead.
 */
export async function startMcpRoutesServer(register: (app: FastifyInstance, ctx: AppContext, port: () => number) => void): Promise<McpRoutesServer> {
  const home = tempDir();
  const ctx = createAppContext({ ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false' });
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerJsonBodies(app);
  registerErrorHandling(app, ctx.errors);
  registerSecurityHeaders(app);
  registerAuth(app, { settings: ctx.settings, limiters: ctx.limiters, credentials: ctx.credentials, listenHost: '127.0.0.1' });
  let port = 0;
  register(app, ctx, () => port);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const token = fs.readFileSync(`${home}/access_token`, 'utf8').trim();
  return {
    url, port, home, token, ctx,
    get: (p, o) => request(url, p, { ...o, method: 'GET' }),
    post: (p, json, o) => request(url, p, { ...o, method: 'POST', json }),
    remote: (p, o) => request(url, p, { ...o, localAddress: '127.0.0.2' }),
    close: async () => {
      await app.close();
      await ctx.close();
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(`${home}-workspace`, { recursive: true, force: true });
    },
  };
}
