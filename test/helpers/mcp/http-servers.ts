import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** Real MCP servers over HTTP for the tests, on ephemeral ports of 127.0.0.1. */
export interface HttpMcpServer {
  /** The MCP endpoint (`/mcp` for Streamable HTTP, `/sse` for the legacy transport). */
  url: string;
  /** Tool calls served so far. */
  calls: number;
  close(): Promise<void>;
}

function mcpServer(label: string, counter: { calls: number }): McpServer {
  const server = new McpServer({ name: `pocketpaw-test-${label}`, version: '1.0.0' });
  server.registerTool('shout', { description: 'Upper-cases the text', inputSchema: { text: z.string() } }, async ({ text }) => {
    counter.calls++;
    return { content: [{ type: 'text', text: `${label}: ${text.toUpperCase()}` }] };
  });
  server.registerTool('weird.name', { description: 'A tool whose name needs cleaning' }, async () => {
    counter.calls++;
    return { content: [{ type: 'text', text: 'ok' }] };
  });
  return server;
}

async function listen(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? JSON.parse(raw) : undefined;
}

/** Streamable HTTP, stateless: a fresh server and transport per request (the SDK's example). `port` 0: any free one. */
export async function startStreamableServer(port = 0): Promise<HttpMcpServer> {
  const state = { calls: 0 };
  const httpServer = http.createServer((req, res) => {
    void (async () => {
      if (!req.url?.startsWith('/mcp')) {
        res.writeHead(404).end();
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const server = mcpServer('streamable', state);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, await readJson(req));
    })().catch(() => res.writeHead(500).end());
  });
  const bound = await listen(httpServer, port);
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    get calls() { return state.calls; },
    close: () => new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    }),
  };
}

/** The legacy HTTP+SSE transport: GET /sse opens the stream, POST /messages?sessionId=… carries requests. */
export async function startSseServer(): Promise<HttpMcpServer> {
  const state = { calls: 0 };
  const transports = new Map<string, SSEServerTransport>();
  const httpServer = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/sse') {
        const transport = new SSEServerTransport('/messages', res);
        transports.set(transport.sessionId, transport);
        res.on('close', () => transports.delete(transport.sessionId));
        await mcpServer('sse', state).connect(transport);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/messages') {
        const t = transports.get(url.searchParams.get('sessionId') ?? '');
        if (!t) {
          res.writeHead(404).end('no session');
          return;
        }
        await t.handlePostMessage(req, res, await readJson(req));
        return;
      }
      res.writeHead(404).end();
    })().catch(() => res.writeHead(500).end());
  });
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}/sse`,
    get calls() { return state.calls; },
    close: () => new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    }),
  };
}
