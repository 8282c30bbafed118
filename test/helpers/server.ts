import fs from 'node:fs';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { importPocketPaw } from '../../src/import/import.js';
import { createMemoryImporter } from '../../src/memory/import.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import type { ServerMode } from '../../src/server/build.js';
import { request, type HttpResult, type RequestOptions } from './http.js';
import { tempDir } from './pocketpaw-fixture.js';

export interface TestServer {
  url: string;
  home: string;
  token: string;
  server: RunningServer;
  /** Request as the owner on this machine (127.0.0.1, localhost bypass). */
  get(path: string, opts?: RequestOptions): Promise<HttpResult>;
  post(path: string, json?: unknown, opts?: RequestOptions): Promise<HttpResult>;
  del(path: string, opts?: RequestOptions): Promise<HttpResult>;
  request(path: string, opts?: RequestOptions): Promise<HttpResult>;
  /** Request from 127.0.0.2: loopback, but not the owner (spec §2.4). */
  remote(path: string, opts?: RequestOptions): Promise<HttpResult>;
  /** Imports a PocketPaw data dir into this server's store: the real import path. */
  importDir(dir: string): ReturnType<typeof importPocketPaw>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  mode?: ServerMode;
  /** Extra environment (POCKETPAW_*); rate limits are off unless a test turns them on. */
  env?: Record<string, string>;
  config?: Record<string, unknown>;
  home?: string;
}

/** A real server on an ephemeral port with its own data dir in a temp folder. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const home = opts.home ?? tempDir();
  if (opts.config) fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify(opts.config));
  const env: NodeJS.ProcessEnv = { ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false', ...opts.env };
  const server = await startServer({ mode: opts.mode ?? 'api', host: '127.0.0.1', port: 0, env, logLevel: 'silent' });
  const token = fs.readFileSync(path.join(home, 'access_token'), 'utf8').trim();
  const url = server.url;
  const call = (p: string, o: RequestOptions = {}) => request(url, p, o);
  return {
    url, home, token, server,
    get: (p, o) => call(p, { ...o, method: 'GET' }),
    post: (p, json, o) => call(p, { ...o, method: 'POST', json }),
    del: (p, o) => call(p, { ...o, method: 'DELETE' }),
    request: call,
    remote: (p, o) => call(p, { ...o, localAddress: '127.0.0.2' }),
    importDir: (dir) => importPocketPaw(dir, { home, store: new SqliteSessionStore(server.ctx.db), importMemory: createMemoryImporter(server.ctx.db, home) }),
    close: async () => {
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
      // The agent's workspace lives beside the data dir (`<home>-workspace`), never in it.
      fs.rmSync(`${home}-workspace`, { recursive: true, force: true });
    },
  };
}
