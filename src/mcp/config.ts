import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../lib/files.js';
import type { McpServerConfig } from './types.js';

/**
 * `<data dir>/mcp_servers.json` = `{"servers":[...]}`, PocketPaw's file (spec §3.10). It holds
 * the servers' env secrets: written atomically with mode 600. Fields we do not know (a newer
 * PocketPaw's `registry_ref`, …) are kept as they are, so a round trip loses nothing.
 */

export const MCP_CONFIG_FILE = 'mcp_servers.json';

/**
 * A server's name: letters, digits, `_` and `-`, 1–64 characters. It is part of the tool names
 * the model sees (`mcp__<name>__<tool>`) and of the groups policies name (`group:mcp:<name>`),
 * so it must survive both unchanged.
 */
export const SERVER_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_TIMEOUT_SECONDS = 30;

const sandboxSchema = z.looseObject({
  network: z.boolean().optional(),
  folders: z.array(z.string()).optional(),
  /** Run a stdio server unconfined when bubblewrap is unavailable (an explicit opt-out). */
  none: z.boolean().optional(),
});

/** One server as sent by a client or read from the file: PocketPaw's defaults fill the gaps. */
export const serverSchema = z.looseObject({
  name: z.string().trim().regex(SERVER_NAME_RE, 'A server name is 1–64 letters, digits, "_" or "-"'),
  transport: z.enum(['stdio', 'http', 'streamable-http']).default('stdio'),
  command: z.string().default(''),
  args: z.array(z.string()).default([]),
  url: z.string().default(''),
  env: z.record(z.string(), z.string()).default({}),
  enabled: z.boolean().default(true),
  timeout: z.number().positive().max(3600).default(DEFAULT_TIMEOUT_SECONDS),
  oauth: z.boolean().optional(),
  sandbox: sandboxSchema.optional(),
});

export type StoredServer = McpServerConfig & { sandbox?: McpServerConfig['sandbox'] & { none?: boolean } } & Record<string, unknown>;

/** What makes a config startable: a command for stdio, an http(s) URL otherwise. */
export function configProblem(c: McpServerConfig): string | null {
  if (c.transport === 'stdio') return c.command.trim() ? null : `Server '${c.name}' has no command`;
  let url: URL;
  try {
    url = new URL(c.url);
  } catch {
    return `Server '${c.name}' needs a valid http(s) url`;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : `Server '${c.name}' needs a valid http(s) url`;
}

/** Parses one server; throws a readable message on bad input. */
export function parseServer(input: unknown): StoredServer {
  const r = serverSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }
  return r.data as StoredServer;
}

export function mcpConfigPath(home: string): string {
  return path.join(home, MCP_CONFIG_FILE);
}

export interface McpConfigRead {
  servers: StoredServer[];
  /** Entries that were left out (bad shape, duplicate name), with why. */
  problems: string[];
  /** Top-level fields other than `servers`, kept on write. */
  extra: Record<string, unknown>;
  /** The entries that were left out, as they were: written back unchanged, never lost. */
  rejected: unknown[];
}

/** Reads the file; a missing file is no servers, a bad entry is skipped and reported. */
export function readMcpConfig(home: string): McpConfigRead {
  const file = mcpConfigPath(home);
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { servers: [], problems: [], extra: {}, rejected: [] };
    throw err;
  }
  return parseMcpConfig(raw);
}

export function parseMcpConfig(raw: string): McpConfigRead {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    throw new Error(`${MCP_CONFIG_FILE} is not JSON (${(err as Error).message}); fix or remove it`);
  }
  const obj = doc && typeof doc === 'object' && !Array.isArray(doc) ? doc as Record<string, unknown> : {};
  const { servers: list, ...extra } = obj;
  const out: McpConfigRead = { servers: [], problems: [], extra, rejected: [] };
  if (!Array.isArray(list)) {
    if (list !== undefined || !doc || typeof doc !== 'object') out.problems.push(`${MCP_CONFIG_FILE} has no "servers" list`);
    return out;
  }
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    try {
      const s = parseServer(entry);
      if (seen.has(s.name)) throw new Error(`the name '${s.name}' is used twice`);
      seen.add(s.name);
      out.servers.push(s);
    } catch (err) {
      out.problems.push(`servers[${i}] skipped: ${(err as Error).message}`);
      out.rejected.push(entry);
    }
  });
  return out;
}

/** Writes the whole list (mode 600, atomic), keeping top-level fields and entries we could not read. */
export function writeMcpConfig(home: string, servers: unknown[], extra: Record<string, unknown> = {}): void {
  fs.mkdirSync(home, { recursive: true });
  writeFileAtomic(mcpConfigPath(home), `${JSON.stringify({ ...extra, servers }, null, 2)}\n`, 0o600);
}

/** Reads, changes and writes the list in one step; returns what `change` returned. */
export function updateMcpConfig<T>(home: string, change: (servers: StoredServer[]) => T): T {
  const read = readMcpConfig(home);
  const result = change(read.servers);
  writeMcpConfig(home, [...read.servers, ...read.rejected], read.extra);
  return result;
}
