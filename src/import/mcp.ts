import fs from 'node:fs';
import path from 'node:path';
import { MCP_CONFIG_FILE, parseMcpConfig, updateMcpConfig } from '../mcp/config.js';

/** What `pocketpaw import` did with PocketPaw's `mcp_servers.json`. */
export interface McpImport {
  /** Servers added (names we did not have). */
  imported: string[];
  /** Servers of that name we already had: ours kept. */
  kept: string[];
  problems: string[];
}

/**
 * Brings PocketPaw's MCP servers over (spec §3.10: the same file format). Servers whose names we
 * do not have yet are added as they are — env (their keys) and unknown fields included, in a
 * file of mode 600 — so a second run adds nothing. A server of the same name is ours and stays.
 * The running server picks the change up on its next turn or status.
 */
export function importMcpServers(sourceRoot: string, home: string): McpImport {
  const result: McpImport = { imported: [], kept: [], problems: [] };
  const theirs = path.join(sourceRoot, MCP_CONFIG_FILE);
  if (!fs.existsSync(theirs)) return result;
  let read;
  try {
    read = parseMcpConfig(fs.readFileSync(theirs, 'utf8'));
  } catch (err) {
    result.problems.push(`${MCP_CONFIG_FILE} not imported: ${(err as Error).message}`);
    return result;
  }
  result.problems.push(...read.problems.map((p) => `${MCP_CONFIG_FILE}: ${p}`));
  if (read.servers.length === 0) return result;
  try {
    updateMcpConfig(home, (ours) => {
      const names = new Set(ours.map((s) => s.name));
      for (const s of read.servers) {
        if (names.has(s.name)) result.kept.push(s.name);
        else {
          ours.push(s);
          result.imported.push(s.name);
        }
      }
    });
  } catch (err) {
    result.problems.push(`${MCP_CONFIG_FILE} not imported: ${(err as Error).message}`);
    result.imported = [];
  }
  return result;
}
