import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/cli.js';
import { STDIO_SERVER_SCRIPT, REPO_ROOT, waitConnected } from '../helpers/mcp/configs.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer } from '../helpers/server.js';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

describe('pocketpaw mcp', () => {
  it('add / list / disable / enable / remove edit mcp_servers.json; test connects; bad input is a usage error', async () => {
    const home = tempDir();
    homes.push(home, `${home}-workspace`);
    const add = await runCli(['mcp', 'add', 'files', '--command', process.execPath, '--args', STDIO_SERVER_SCRIPT, '--folder', REPO_ROOT, '--env', 'A=1'], home);
    expect(add.stdout, add.stderr).toBe('Added MCP server files\n');
    const file = path.join(home, 'mcp_servers.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).servers[0]).toEqual({
      name: 'files', transport: 'stdio', command: process.execPath, args: [STDIO_SERVER_SCRIPT], url: '', env: { A: '1' }, enabled: true, timeout: 30,
      sandbox: { folders: [REPO_ROOT] },
    });
    expect((await runCli(['mcp', 'add', 'remote', '--url', 'https://example.com/mcp', '--disabled'], home)).stdout).toBe('Added MCP server remote (disabled)\n');
    expect((await runCli(['mcp', 'list'], home)).stdout).toBe(`on   files  stdio  ${process.execPath} ${STDIO_SERVER_SCRIPT}\noff  remote  streamable-http  https://example.com/mcp\n`);
    const test = await runCli(['mcp', 'test', 'files'], home);
    expect(test.stdout, test.stderr).toMatch(/^Connected to files: 8 tools\n {2}echo {2}Echoes the text back\n/);
    expect((await runCli(['mcp', 'disable', 'files'], home)).stdout).toBe('Disabled MCP server files\n');
    expect((await runCli(['mcp', 'enable', 'remote'], home)).stdout).toBe('Enabled MCP server remote\n');
    expect((await runCli(['mcp', 'remove', 'remote'], home)).stdout).toBe('Removed MCP server remote\n');
    const listed = JSON.parse((await runCli(['mcp', 'list', '--json'], home)).stdout);
    expect(listed).toEqual([expect.objectContaining({ name: 'files', enabled: false, env: ['A'] })]);

    const bad = await runCli(['mcp', 'add', 'bad name', '--command', 'x'], home);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/1–64 letters/);
    expect((await runCli(['mcp', 'add', 'x', '--command', 'a', '--url', 'http://b'], home)).stderr).toMatch(/either --command/);
    expect((await runCli(['mcp', 'remove', 'nope'], home)).stderr).toMatch(/Server 'nope' not found/);
    // Twelve CLI processes: about 1 s each alone, several times that on a loaded 2-core machine.
  }, 180_000);

  it('a running server picks up a CLI change on its next status, without a restart', async () => {
    const s = await startTestServer();
    try {
      expect((await s.get('/api/v1/mcp/status')).body).toEqual({});
      const add = await runCli(['mcp', 'add', 'files', '--command', process.execPath, '--args', STDIO_SERVER_SCRIPT, '--folder', REPO_ROOT], s.home);
      expect(add.code, add.stderr).toBe(0);
      await waitConnected(s, 'files');
      await runCli(['mcp', 'disable', 'files'], s.home);
      expect((await s.get('/api/v1/mcp/status')).body).toMatchObject({ files: { connected: false, enabled: false } });
    } finally {
      await s.close();
    }
  }, 60_000);
});
