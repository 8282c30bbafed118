import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface FakeMcpServer {
  /** The MCP endpoint (`/mcp`). */
  url: string;
  /** Requests refused for want of a valid bearer token. */
  refused: number;
  close(): Promise<void>;
}

/**
 * A real MCP server (the SDK's McpServer over Streamable HTTP, stateless) that is an OAuth
 * protected resource: without a bearer token the authorization server issued it answers 401
 * with `WWW-Authenticate` naming its RFC 9728 metadata, which names the authorization server.
 * One tool, `whoami`, answers "signed in".
 */
export async function startFakeMcpServer(authServerUrl: string, isValidToken: (token: string) => boolean): Promise<FakeMcpServer> {
  let base = '';
  const state = { refused: 0 };
  const metadataPath = '/.well-known/oauth-protected-resource/mcp';

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && (url.pathname === metadataPath || url.pathname === '/.well-known/oauth-protected-resource')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ resource: `${base}/mcp`, authorization_servers: [authServerUrl], bearer_methods_supported: ['header'] }));
    }
    if (url.pathname !== '/mcp') return void res.writeHead(404).end();
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !isValidToken(bearer)) {
      state.refused++;
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer error="invalid_token", resource_metadata="${base}${metadataPath}"`,
      });
      return res.end(JSON.stringify({ error: 'invalid_token' }));
    }
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const mcp = new McpServer({ name: 'fake-remote', version: '1.0.0' });
    mcp.registerTool('whoami', { description: 'Says who the caller is', inputSchema: { greeting: z.string().optional() } }, async () => ({
      content: [{ type: 'text', text: 'signed in' }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/mcp`,
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
