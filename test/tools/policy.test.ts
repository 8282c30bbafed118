import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy, listCovers } from '../../src/tools/policy/policy.js';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { streamedText, systemEvents } from '../helpers/ws-client.js';
import { auditLines, offeredTools, setSettings, startToolServer, textReply, toolCallReply, toolResults, wsTurn } from './helpers.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startToolServer();
});
afterAll(() => env.close());

/** The tools offered to the model in one turn under `settings`. */
async function offeredWith(settings: Record<string, unknown>): Promise<string[]> {
  await setSettings(env, { tool_profile: 'full', tools_allow: [], tools_deny: [], ...settings });
  env.fake.reset();
  env.fake.enqueue(textReply('hi'));
  await wsTurn(env, 'hello');
  const [req] = await env.fake.waitForRequests(1);
  return offeredTools(req!);
}

describe('tool policy: profiles, allow and deny lists', () => {
  it('offers only the tools the profile and lists allow', async () => {
    const full = await offeredWith({});
    expect(full).toEqual(expect.arrayContaining(['current_time', 'edit_file', 'list_dir', 'read_file', 'shell', 'write_file']));
    const minimal = await offeredWith({ tool_profile: 'minimal' });
    expect(minimal).toContain('current_time');
    expect(minimal.filter((n) => ['read_file', 'write_file', 'edit_file', 'list_dir', 'shell'].includes(n))).toEqual([]);
    const coding = await offeredWith({ tool_profile: 'coding' });
    expect(coding).toEqual(expect.arrayContaining(['current_time', 'edit_file', 'list_dir', 'read_file', 'shell', 'write_file']));
    expect(await offeredWith({ tool_profile: 'minimal', tools_allow: ['read_file', 'group:shell'] })).toEqual(expect.arrayContaining(['read_file', 'shell']));
    expect(await offeredWith({ tool_profile: 'minimal', tools_allow: ['read_file', 'group:shell'] })).not.toContain('write_file');
    const denied = await offeredWith({ tools_deny: ['group:fs', 'current_time'] });
    expect(denied).toContain('shell');
    expect(denied.filter((n) => ['read_file', 'write_file', 'edit_file', 'list_dir', 'current_time'].includes(n))).toEqual([]);
    // Deny wins over allow.
    expect(await offeredWith({ tool_profile: 'minimal', tools_allow: ['shell'], tools_deny: ['shell'] })).not.toContain('shell');
  });

  it('a deny-listed tool the model calls anyway is refused, audited, and the model is told', async () => {
    await setSettings(env, { tool_profile: 'full', tools_allow: [], tools_deny: ['shell'] });
    try {
      env.fake.reset();
      env.fake.enqueue(toolCallReply('shell', { command: 'touch denied-ran.txt' }), textReply('I cannot run commands here.'));
      const { frames } = await wsTurn(env, 'run something');
      const reqs = await env.fake.waitForRequests(2);
      expect(offeredTools(reqs[0]!)).not.toContain('shell');
      const [result] = toolResults(reqs[1]!);
      expect(result!.name).toBe('shell');
      expect(result!.content).toContain('Tool "shell" is not allowed (denied by tools_deny (shell))');
      expect(fs.existsSync(path.join(`${env.s.home}-workspace`, 'denied-ran.txt'))).toBe(false);
      expect(systemEvents(frames, 'tool_start').map((f) => f.data.name)).toEqual(['shell']);
      expect(systemEvents(frames, 'tool_result')[0]!.data).toMatchObject({ name: 'shell', status: 'error' });
      expect(streamedText(frames)).toBe('I cannot run commands here.');
      const denial = auditLines(env.s.home).filter((e) => e.action === 'tool_denied').at(-1);
      expect(denial).toMatchObject({
        actor: 'policy', target: 'shell', severity: 'alert', status: 'block',
        context: { params: { command: 'touch denied-ran.txt' }, reason: expect.stringContaining('tools_deny') },
      });
    } finally {
      await setSettings(env, { tools_deny: [] });
    }
  });

  it('a made-up tool name is refused and audited too', async () => {
    env.fake.reset();
    env.fake.enqueue(toolCallReply('launch_missiles', { target: 'moon' }), textReply('No such tool.'));
    await wsTurn(env, 'go');
    const reqs = await env.fake.waitForRequests(2);
    expect(toolResults(reqs[1]!)[0]!.content).toContain('Tool "launch_missiles" does not exist');
    expect(auditLines(env.s.home).filter((e) => e.action === 'tool_denied').at(-1)).toMatchObject({ target: 'launch_missiles', status: 'block' });
  });

  it('every tool use is audited: start and outcome, with redacted, shortened parameters', async () => {
    env.fake.reset();
    const secret = 'sk-ant-api03-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6';
    env.fake.enqueue(toolCallReply('write_file', { path: 'k.txt', content: `key=${secret}\n${'x'.repeat(5000)}` }), textReply('saved'));
    await wsTurn(env, 'save');
    const uses = auditLines(env.s.home).filter((e) => e.action === 'tool_use' && e.target === 'write_file').slice(-2);
    expect(uses.map((e) => e.status)).toEqual(['start', 'success']);
    expect(uses[0]).toMatchObject({ actor: 'agent', severity: 'warning', context: { session_key: expect.stringMatching(/^websocket:/) } });
    const content = (uses[0]!.context.params as { content: string }).content;
    expect(content).not.toContain(secret);
    expect(content.length).toBeLessThan(2100);
    expect(uses[1]!.context).toMatchObject({ ms: expect.any(Number), result_chars: expect.any(Number) });
  });
});

describe('evaluatePolicy', () => {
  const base = { tool_profile: 'full' as const, tools_allow: [] as string[], tools_deny: [] as string[] };
  it('deny wins; groups by definition or by PocketPaw name; allow adds to a profile', () => {
    expect(evaluatePolicy(base, 'shell', ['shell'])).toEqual({ allowed: true });
    expect(evaluatePolicy({ ...base, tools_deny: ['group:shell'] }, 'shell', ['shell']).allowed).toBe(false);
    expect(evaluatePolicy({ ...base, tools_deny: ['group:memory'] }, 'recall').allowed).toBe(false);
    expect(evaluatePolicy({ ...base, tool_profile: 'minimal' }, 'remember', ['memory']).allowed).toBe(true);
    expect(evaluatePolicy({ ...base, tool_profile: 'minimal' }, 'list_sessions', ['sessions']).allowed).toBe(true);
    expect(evaluatePolicy({ ...base, tool_profile: 'minimal' }, 'web_search', ['search']).allowed).toBe(false);
    expect(evaluatePolicy({ ...base, tool_profile: 'coding' }, 'web_search', ['search']).allowed).toBe(false);
    expect(evaluatePolicy({ ...base, tool_profile: 'coding', tools_allow: ['group:search'] }, 'web_search', ['search']).allowed).toBe(true);
    expect(evaluatePolicy({ ...base, tool_profile: 'coding', tools_allow: ['shell'], tools_deny: ['shell'] }, 'shell', ['shell']).allowed).toBe(false);
  });

  it('a tool in several groups (an MCP tool: group:mcp and group:mcp:<server>) is covered by any of them', () => {
    const groups = ['mcp', 'mcp:files'];
    expect(evaluatePolicy(base, 'mcp__files__read', groups).allowed).toBe(true);
    expect(evaluatePolicy({ ...base, tools_deny: ['group:mcp'] }, 'mcp__files__read', groups).allowed).toBe(false);
    expect(evaluatePolicy({ ...base, tools_deny: ['group:mcp:files'] }, 'mcp__files__read', groups).allowed).toBe(false);
    expect(evaluatePolicy({ ...base, tools_deny: ['group:mcp:other'] }, 'mcp__files__read', groups).allowed).toBe(true);
    expect(evaluatePolicy({ ...base, tool_profile: 'coding' }, 'mcp__files__read', groups).allowed).toBe(false);
    expect(evaluatePolicy({ ...base, tool_profile: 'coding', tools_allow: ['group:mcp:files'] }, 'mcp__files__read', groups).allowed).toBe(true);
    expect(listCovers(['shell', 'group:mcp'], 'mcp__files__read', groups)).toBe(true);
    expect(listCovers(['shell'], 'mcp__files__read', groups)).toBe(false);
  });
});
