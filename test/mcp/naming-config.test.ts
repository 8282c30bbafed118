import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMcpConfig, readMcpConfig, updateMcpConfig } from '../../src/mcp/config.js';
import { mcpToolName } from '../../src/mcp/tool-source.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

describe('MCP tool names', () => {
  it('mcp__<server>__<tool>, cleaned to [a-zA-Z0-9_-], at most 64 characters, unique', () => {
    const taken = new Set<string>();
    expect(mcpToolName('files', 'read_file', taken)).toBe('mcp__files__read_file');
    expect(mcpToolName('files', 'read.file', taken)).toBe('mcp__files__read_file_2');
    expect(mcpToolName('files', 'lire le fichier é', taken)).toBe('mcp__files__lire_le_fichier__');
    const long = mcpToolName('s', 'x'.repeat(100), taken);
    expect(long).toHaveLength(64);
    const again = mcpToolName('s', 'x'.repeat(100), taken);
    expect(again).toHaveLength(64);
    expect(again.endsWith('_2')).toBe(true);
    expect(again).not.toBe(long);
  });
});

describe('mcp_servers.json', () => {
  it('fills PocketPaw\'s defaults, keeps unknown fields, reports and keeps bad entries', () => {
    const read = parseMcpConfig(JSON.stringify({ version: 2, servers: [{ name: 'a', command: 'x', registry_ref: 'r' }, { name: 'a' }, { nope: true }] }));
    expect(read.servers).toEqual([{ name: 'a', transport: 'stdio', command: 'x', args: [], url: '', env: {}, enabled: true, timeout: 30, registry_ref: 'r' }]);
    expect(read.problems).toHaveLength(2);
    expect(read.extra).toEqual({ version: 2 });
    const home = tempDir();
    fs.writeFileSync(`${home}/mcp_servers.json`, JSON.stringify({ version: 2, servers: [{ name: 'a', command: 'x' }, { nope: true }] }));
    updateMcpConfig(home, (list) => list.push({ ...list[0]!, name: 'b' }));
    const doc = JSON.parse(fs.readFileSync(`${home}/mcp_servers.json`, 'utf8'));
    expect(doc.version).toBe(2);
    expect(doc.servers.map((x: { name?: string }) => x.name)).toEqual(['a', 'b', undefined]);
    expect(fs.statSync(`${home}/mcp_servers.json`).mode & 0o777).toBe(0o600);
    expect(readMcpConfig(tempDir()).servers).toEqual([]);
    fs.rmSync(home, { recursive: true, force: true });
  });
});
