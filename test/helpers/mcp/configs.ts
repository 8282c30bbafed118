import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../tools/helpers.js';
import type { TestServer } from '../server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository: the stdio server's script and the SDK it imports live here. */
export const REPO_ROOT = path.resolve(here, '../../..');
export const STDIO_SERVER_SCRIPT = path.join(here, 'stdio-server.mjs');

/**
 * A config for the stdio test server, run with this node. Confined, it sees the repository
 * (the script and node_modules) through `sandbox.folders`.
 */
export function stdioServer(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name, transport: 'stdio', command: process.execPath, args: [STDIO_SERVER_SCRIPT], url: '', env: {}, enabled: true,
    timeout: 30, sandbox: { folders: [REPO_ROOT] }, ...extra,
  };
}

/** Status of one server over REST. */
export async function statusOf(s: TestServer, name: string): Promise<Record<string, any> | undefined> {
  const res = await s.get('/api/v1/mcp/status');
  return (res.body as Record<string, any>)[name];
}

/** Waits until the server reports `name` connected. */
export async function waitConnected(s: TestServer, name: string, timeoutMs = 15_000): Promise<Record<string, any>> {
  let last: Record<string, any> | undefined;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    last = await statusOf(s, name);
    if (last?.connected) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server ${name} did not connect: ${JSON.stringify(last)}`);
}

export { eventually };
