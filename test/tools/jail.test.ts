import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside, resolveInJail } from '../../src/tools/fs/jail.js';
import { ToolRefusedError } from '../../src/tools/types.js';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { systemEvents } from '../helpers/ws-client.js';
import { auditLines, runTools, setSettings, startToolServer } from './helpers.js';

let env: ChatTestEnv;
let ws: string;
let outside: string;
beforeAll(async () => {
  env = await startToolServer();
  ws = `${env.s.home}-workspace`;
  outside = tempDir('pocketpaw-outside-');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
  fs.mkdirSync(path.join(outside, 'dir'));
  fs.writeFileSync(path.join(outside, 'dir', 'inner.txt'), 'INNER SECRET');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'link-file'));
  fs.symlinkSync(outside, path.join(ws, 'link-dir'));
  fs.symlinkSync(path.join(outside, 'created-through-link.txt'), path.join(ws, 'dangling'));
  fs.mkdirSync(path.join(ws, 'real'));
  fs.writeFileSync(path.join(ws, 'real', 'ok.txt'), 'fine');
  fs.symlinkSync(path.join(ws, 'real'), path.join(ws, 'link-inside'));
});
afterAll(async () => {
  await env.close();
  fs.rmSync(outside, { recursive: true, force: true });
});

const DENIED = /^Access denied/;

describe('file jail through the agent loop', () => {
  it('refuses ../, absolute paths and symlinks that lead out; the model reads why; nothing outside is touched', async () => {
    const token = path.join(env.s.home, 'access_token');
    const calls = [
      { name: 'read_file', args: { path: '../access_token' } },
      { name: 'read_file', args: { path: 'real/../../access_token' } },
      { name: 'read_file', args: { path: token } },
      { name: 'read_file', args: { path: '/etc/passwd' } },
      { name: 'read_file', args: { path: 'link-file' } },
      { name: 'read_file', args: { path: 'link-dir/dir/inner.txt' } },
      { name: 'list_dir', args: { path: 'link-dir' } },
      { name: 'list_dir', args: { path: '..' } },
      { name: 'write_file', args: { path: 'link-dir/new.txt', content: 'pwned' } },
      { name: 'write_file', args: { path: 'dangling', content: 'pwned' } },
      { name: 'write_file', args: { path: '../config.json', content: '{}' } },
      { name: 'edit_file', args: { path: 'link-file', old_text: 'TOP', new_text: 'NOT' } },
      { name: 'read_file', args: { path: '~/.bashrc' } },
    ];
    const { results, frames } = await runTools(env, calls);
    expect(results).toHaveLength(calls.length);
    for (const r of results) expect(r.content, JSON.stringify(r.args)).toMatch(DENIED);
    expect(JSON.stringify(results)).not.toContain('SECRET');
    expect(fs.existsSync(path.join(outside, 'new.txt'))).toBe(false);
    expect(fs.existsSync(path.join(outside, 'created-through-link.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('TOP SECRET');
    expect(systemEvents(frames, 'tool_result').map((f) => f.data.status)).toEqual(calls.map(() => 'error'));

    // Each refusal is in the audit log as a block.
    const blocks = auditLines(env.s.home).filter((e) => e.action === 'tool_use' && e.status === 'block');
    expect(blocks.length).toBeGreaterThanOrEqual(calls.length);
    expect(blocks[0]).toMatchObject({ severity: 'alert', actor: 'agent', context: { error: expect.stringMatching(DENIED) } });
  });

  it('refuses Unicode look-alikes of . and / and NUL bytes', async () => {
    const calls = [
      { name: 'read_file', args: { path: '\uFF0E\uFF0E/access_token' } }, // fullwidth dots
      { name: 'read_file', args: { path: '\u2024\u2024/access_token' } }, // one dot leaders
      { name: 'read_file', args: { path: '\u2025/access_token' } }, // two dot leader
      { name: 'read_file', args: { path: '..\uFF0Faccess_token' } }, // fullwidth solidus
      { name: 'read_file', args: { path: '..\u2215access_token' } }, // division slash
      { name: 'write_file', args: { path: 'a.txt\u0000.png', content: 'x' } },
      { name: 'read_file', args: { path: 'real/\u202Etxt.ko' } }, // right-to-left override
    ];
    const { results } = await runTools(env, calls);
    for (const r of results) expect(r.content, JSON.stringify(r.args)).toMatch(DENIED);
    expect(results[0]!.content).toContain('look-alike');
    expect(results[5]!.content).toContain('NUL');
    expect(fs.readdirSync(ws).filter((n) => n.startsWith('a.txt'))).toEqual([]);
  });

  it('allows symlinks that stay inside, and non-ASCII names that are not look-alikes', async () => {
    const { results } = await runTools(env, [
      { name: 'read_file', args: { path: 'link-inside/ok.txt' } },
      { name: 'write_file', args: { path: 'café/日本語.txt', content: 'ok' } },
      { name: 'read_file', args: { path: path.join(ws, 'real', 'ok.txt') } },
    ]);
    expect(results.map((r) => r.content)).toEqual(['fine', 'Successfully wrote 2 characters to café/日本語.txt', 'fine']);
  });

  it('file_jail_path, when set, is the jail instead of the workspace', async () => {
    const jail = tempDir('pocketpaw-jail-');
    fs.writeFileSync(path.join(jail, 'in-jail.txt'), 'jailed');
    try {
      await setSettings(env, { file_jail_path: jail });
      const { results } = await runTools(env, [
        { name: 'read_file', args: { path: 'in-jail.txt' } },
        { name: 'read_file', args: { path: path.join(ws, 'real', 'ok.txt') } },
      ]);
      expect(results[0]!.content).toBe('jailed');
      expect(results[1]!.content).toMatch(DENIED);
    } finally {
      await setSettings(env, { file_jail_path: '' });
      fs.rmSync(jail, { recursive: true, force: true });
    }
  });
});

describe('resolveInJail', () => {
  it('compares by path components, not string prefixes', () => {
    expect(isInside('/a/work', '/a/work')).toBe(true);
    expect(isInside('/a/work', '/a/work/x/y')).toBe(true);
    expect(isInside('/a/work', '/a/workspace-evil/x')).toBe(false);
    expect(isInside('/a/work', '/a/work/..x')).toBe(true);
    expect(isInside('/a/work', '/a')).toBe(false);
  });

  it('resolves new paths through the real path of their existing prefix', async () => {
    const r = await resolveInJail(ws, 'real/new/deeper.txt');
    expect(r.exists).toBe(false);
    expect(r.real).toBe(path.join(fs.realpathSync(ws), 'real', 'new', 'deeper.txt'));
    await expect(resolveInJail(ws, 'link-dir/new/deeper.txt')).rejects.toBeInstanceOf(ToolRefusedError);
    await expect(resolveInJail(ws, `${ws}-evil/x`)).rejects.toBeInstanceOf(ToolRefusedError);
  });
});
