import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireObjectBody } from '../http/body.js';
import { SERVER_NAME_RE } from './config.js';
import type { McpManager } from './manager.js';

const tags = ['mcp'];
const nameBody = z.object({ name: z.string().trim().min(1, 'Server name is required').max(200) }).loose();

/**
 * Spec §3.10 on both families: status, add, remove, toggle, test (admin). As in PocketPaw, a
 * server that is not found is a 200 `{"error"}`; bad input is a 400 `{"detail"}` and changes
 * nothing. Presets and the OAuth callback are registered by their own modules.
 */
export function registerMcpRoutes(app: FastifyInstance, mcp: McpManager): void {
  const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ detail: message });
  const nameOf = (body: unknown): { name?: string; problem?: string } => {
    const r = nameBody.safeParse(body);
    return r.success ? { name: r.data.name } : { problem: r.error.issues[0]!.message };
  };

  for (const prefix of ['/api', '/api/v1']) {
    const opts = (summary: string) => ({ config: { scope: ['admin'] }, schema: { tags, summary } });

    app.get(`${prefix}/mcp/status`, opts('Every configured MCP server: connected, tools, error'), async () => mcp.status());

    app.post(`${prefix}/mcp/add`, opts('Save an MCP server (replacing one of that name) and start it when enabled'), async (req, reply) => {
      const body = requireObjectBody(req.body);
      if (typeof body.name !== 'string' || !body.name.trim()) return bad(reply, 'Server name is required');
      if (!SERVER_NAME_RE.test(body.name.trim())) return bad(reply, 'A server name is 1–64 letters, digits, "_" or "-"');
      try {
        mcp.add({ ...body, name: body.name.trim() });
      } catch (err) {
        return bad(reply, (err as Error).message);
      }
      return { status: 'ok' };
    });

    app.post(`${prefix}/mcp/remove`, opts('Remove an MCP server and stop it'), async (req, reply) => {
      const { name, problem } = nameOf(requireObjectBody(req.body));
      if (problem) return bad(reply, problem);
      if (!mcp.remove(name!)) return { error: `Server '${name}' not found` };
      return { status: 'ok' };
    });

    app.post(`${prefix}/mcp/toggle`, opts('Connected (or `enabled: false`): stop and disable; otherwise enable and start'), async (req, reply) => {
      const { name, problem } = nameOf(requireObjectBody(req.body));
      if (problem) return bad(reply, problem);
      if (!(name! in mcp.status())) return { error: `Server '${name}' not found` };
      // Ours: `enabled` says which way to switch, so a server that is on but failing can be turned off.
      const want = (req.body as { enabled?: unknown }).enabled;
      if (want === false || (want === undefined && mcp.isConnected(name!))) {
        if (!mcp.setEnabled(name!, false)) return { error: `No config found for '${name}'` };
        return { status: 'ok', enabled: false };
      }
      if (!mcp.setEnabled(name!, true)) return { error: `No config found for '${name}'` };
      const outcome = await mcp.connectNow(name!);
      return { status: 'ok', enabled: true, connected: outcome.connected };
    });

    app.post(`${prefix}/mcp/test`, opts('Connect to a server config, list its tools, disconnect'), async (req) => {
      const body = requireObjectBody(req.body);
      const outcome = await mcp.test({ name: 'test', ...body });
      return outcome.connected ? { connected: true, tools: outcome.tools } : { connected: false, error: outcome.error ?? 'Could not connect', tools: [] };
    });
  }
}
