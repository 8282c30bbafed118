import type { PresetInstallResult } from '../protocol/mcp.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../lib/errors.js';
import { redact, SecretValues } from '../security/redact.js';
import { findPreset, listPresets, presetNote, presetSource, presetToConfig } from './presets.js';
import type { McpServerConfig, McpToolInfo } from './types.js';

/**
 * What the preset routes need from the MCP manager: the names configured, saving a config,
 * and starting one server now. Narrow on purpose, so the routes test without the manager.
 */
export interface PresetServers {
  /** Names of every configured server (`mcp_servers.json`). */
  configured(): string[];
  /** Saves the config (replacing one of the same name). */
  add(config: McpServerConfig): Promise<void>;
  /** Starts (or restarts) the named server and lists its tools; `error` says why it did not connect. */
  connectNow(name: string): Promise<{ connected: boolean; tools: McpToolInfo[]; error?: string }>;
}

export interface PresetRouteDeps {
  servers: PresetServers;
}

const tags = ['mcp'];

const InstallBody = z.object({
  preset_id: z.string({ error: "Missing 'preset_id' field" }).min(1, "Missing 'preset_id' field"),
  env: z.record(z.string(), z.string({ error: 'env values must be strings' })).optional().default({}),
  extra_args: z.array(z.string({ error: 'extra_args must be a list of strings' }), { error: 'extra_args must be a list of strings' }).max(64).optional().default([]),
});

// As src/server/errors.ts maps them, with the legacy family's body.
const STATUS: Record<DomainError['kind'], number> = { invalid: 400, not_found: 404, forbidden: 403, unavailable: 500 };

/**
 * Spec §3.10: the preset catalogue and one-click install, on `/api` (errors `{"error"}`) and
 * `/api/v1` (errors `{"detail"}`), as PocketPaw. Install answers with our `note` (what the
 * server needs to start: `npx`/`uvx` presets download from a package registry) and `source`.
 */
export function registerPresetRoutes(app: FastifyInstance, deps: PresetRouteDeps): void {
  for (const prefix of ['/api', '/api/v1']) {
    const fail = (reply: FastifyReply, status: number, message: string) =>
      reply.code(status).send(prefix === '/api' ? { error: message } : { detail: message });

    app.get(`${prefix}/mcp/presets`, { config: { scope: ['admin'] }, schema: { tags, summary: 'The MCP preset catalogue' } }, async () =>
      listPresets(deps.servers.configured()));

    app.post(`${prefix}/mcp/presets/install`, { config: { scope: ['admin'] }, schema: { tags, summary: 'Install an MCP preset and start it' } }, async (req, reply) => {
      const parsed = InstallBody.safeParse(req.body ?? {});
      if (!parsed.success) return fail(reply, 400, parsed.error.issues[0]?.message ?? 'Invalid body');
      const { preset_id, env, extra_args } = parsed.data;
      let config: McpServerConfig;
      try {
        config = presetToConfig(preset_id, env, extra_args);
      } catch (err) {
        if (err instanceof DomainError) return fail(reply, STATUS[err.kind], err.message);
        throw err;
      }
      await deps.servers.add(config);
      const started = await deps.servers.connectNow(config.name);
      const preset = findPreset(preset_id)!;
      // The start error may quote what the owner just typed (a connection string): hide those values.
      const typed = new SecretValues([() => Object.values(env)]);
      const result: PresetInstallResult = {
        status: 'ok',
        connected: started.connected,
        tools: started.tools.map((t) => ({ name: t.name, description: t.description })),
        ...(started.error && !started.connected ? { error: redact(started.error, typed) } : {}),
        source: presetSource(preset),
        note: presetNote(preset),
      };
      return result;
    });
  }
}
