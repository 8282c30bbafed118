import type { jsonSchema as JsonSchema } from 'ai';
import type { z } from 'zod';
import type { ToolSource } from '../tools/registry.js';
import type { ToolDefinition } from '../tools/types.js';
import type { RemoteTool } from './connect.js';
import type { ServerTools } from './manager.js';

let jsonSchema: typeof JsonSchema | undefined;

/**
 * Loads the AI SDK's `jsonSchema` (the SDK is the heaviest import of the server, so not at
 * start-up, issue 14). The manager awaits this before it connects a server, so a connected
 * server's tools always find it loaded.
 */
export async function loadToolSchemas(): Promise<void> {
  jsonSchema ??= (await import('ai')).jsonSchema;
}

/** The longest tool name providers accept (OpenAI, Anthropic). */
export const MAX_TOOL_NAME = 64;

/** What the tool source needs of the manager. */
export interface McpToolProvider {
  version: number;
  connectedTools(): ServerTools[];
  call(server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<string>;
}

/**
 * `mcp__<server>__<tool>`, every character outside `[a-zA-Z0-9_-]` turned into `_`, at most 64
 * characters; a name already taken gets `_2`, `_3`, … (cut to fit).
 */
export function mcpToolName(server: string, tool: string, taken: Set<string>): string {
  const base = `mcp__${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, MAX_TOOL_NAME);
  let name = base;
  for (let n = 2; taken.has(name); n++) {
    const suffix = `_${n}`;
    name = base.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
  }
  taken.add(name);
  return name;
}

/**
 * The JSON Schema of the tool's input as the AI SDK takes it. `ToolDefinition.parameters` is
 * typed as zod, but the registry only hands it to the SDK's `tool({ inputSchema })`, which takes
 * a zod schema or a `jsonSchema()` alike; nothing else (gate, audit) reads it.
 */
function parametersOf(t: RemoteTool): z.ZodType {
  const schema: Record<string, unknown> = { ...t.inputSchema, type: 'object' };
  if (typeof schema.properties !== 'object' || schema.properties === null) schema.properties = {};
  if (!jsonSchema) throw new Error('MCP tools were read before loadToolSchemas() finished');
  return jsonSchema(schema as Parameters<typeof jsonSchema>[0]) as unknown as z.ZodType;
}

/** Each connected server's tools as the agent's tools, asked every turn (rebuilt only on a change). */
export function createMcpToolSource(manager: McpToolProvider): ToolSource {
  let cached: ToolDefinition[] = [];
  let cachedVersion = -1;
  return {
    tools() {
      const servers = manager.connectedTools();
      if (manager.version === cachedVersion) return cached;
      const taken = new Set<string>();
      const defs: ToolDefinition[] = [];
      for (const { server, tools } of servers) {
        for (const t of tools) {
          defs.push({
            name: mcpToolName(server, t.name, taken),
            description: `${t.description || t.name} (MCP server "${server}")`.slice(0, 1024),
            group: 'mcp',
            extraGroups: [`mcp:${server}`],
            mcpServer: server,
            trust: 'sensitive',
            untrustedOutput: true,
            parameters: parametersOf(t),
            execute: (args, ctx) => manager.call(server, t.name, (args ?? {}) as Record<string, unknown>, ctx.signal),
          });
        }
      }
      cached = defs;
      cachedVersion = manager.version;
      return defs;
    },
  };
}
