// A real MCP server over stdio for the tests, run with `node` (inside the sandbox when confined).
// Tools: echo, add, slow (hangs for `ms`), crash (exits mid-call), fail (isError), image, env, read.
import fs from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'pocketpaw-test-stdio', version: '1.0.0' });
const text = (t) => ({ content: [{ type: 'text', text: t }] });

server.registerTool('echo', { description: 'Echoes the text back', inputSchema: { text: z.string() } }, async ({ text: t }) => text(`echo: ${t}`));
server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => text(String(a + b)));
server.registerTool('slow', { description: 'Waits ms milliseconds', inputSchema: { ms: z.number() } }, async ({ ms }) => {
  await new Promise((r) => setTimeout(r, ms));
  return text(`waited ${ms}`);
});
server.registerTool('crash', { description: 'Exits the server in the middle of the call' }, async () => {
  setTimeout(() => process.exit(3), 20);
  await new Promise(() => {});
});
server.registerTool('fail', { description: 'Reports an error' }, async () => ({ isError: true, content: [{ type: 'text', text: 'the thing is broken' }] }));
server.registerTool('image', { description: 'Returns an image and text' }, async () => ({
  content: [{ type: 'text', text: 'a picture:' }, { type: 'image', data: Buffer.from('fakepng').toString('base64'), mimeType: 'image/png' }],
}));
server.registerTool('env', { description: 'Environment variable names' }, async () => text(Object.keys(process.env).sort().join(',')));
server.registerTool('read', { description: 'Reads a file', inputSchema: { path: z.string() } }, async ({ path }) => {
  try {
    return text(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    return { isError: true, content: [{ type: 'text', text: `cannot read: ${err.code ?? err.message}` }] };
  }
});

await server.connect(new StdioServerTransport());
