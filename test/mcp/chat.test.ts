import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { STDIO_SERVER_SCRIPT, stdioServer, statusOf, waitConnected } from '../helpers/mcp/configs.js';
import { startTestServer } from '../helpers/server.js';
import { connectChat, systemEvents } from '../helpers/ws-client.js';
import { auditLines, eventually, offeredTools, runTools, setSettings, startToolServer, textReply, toolCallReply } from '../tools/helpers.js';

/** MCP tools in a chat turn: a real stdio MCP server (in the sandbox), the fake model calling it. */
let env: ChatTestEnv;
beforeAll(async () => {
  env = await startToolServer({ env: { POCKETPAW_SECRET_THING: 'should-not-leak' } });
  const res = await env.s.post('/api/v1/mcp/add', stdioServer('files', { env: { GREETING: 'hello' } }));
  expect(res.body).toEqual({ status: 'ok' });
  await waitConnected(env.s, 'files');
}, 30_000);
afterAll(() => env.close());

function hostPids(pattern: string): number[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

describe('MCP tools in the chat', () => {
  it('are offered as mcp__<server>__<tool>; a call reaches the server, its frames name the server, the model gets it wrapped as untrusted, and it is audited', async () => {
    const { results, frames, requests } = await runTools(env, [{ name: 'mcp__files__echo', args: { text: 'hi there' } }]);
    expect(offeredTools(requests[0]!)).toEqual(expect.arrayContaining(['mcp__files__echo', 'mcp__files__add', 'mcp__files__slow', 'current_time']));
    expect(results[0]!.content).toBe('echo: hi there');
    expect(results[0]!.raw).not.toBe('echo: hi there');
    expect(results[0]!.raw).toContain('echo: hi there');
    expect(results[0]!.raw.toLowerCase()).toContain('untrusted');
    const start = systemEvents(frames, 'tool_start')[0]!;
    const result = systemEvents(frames, 'tool_result')[0]!;
    expect(start.data).toEqual({ name: 'mcp__files__echo', params: { text: 'hi there' }, server: 'files' });
    expect(result.data).toMatchObject({ name: 'mcp__files__echo', result: 'echo: hi there', status: 'success', server: 'files' });
    const audit = auditLines(env.s.home).filter((e) => e.action === 'tool_use' && e.target === 'mcp__files__echo');
    expect(audit.map((e) => e.status)).toEqual(['start', 'success']);
    expect(audit[0]!.severity).toBe('warning'); // trust: sensitive
    expect(audit[0]!.context.params).toEqual({ text: 'hi there' });
  });

  it('an isError result reaches the model as an error; images are described, not sent', async () => {
    const { results, frames } = await runTools(env, [{ name: 'mcp__files__fail', args: {} }, { name: 'mcp__files__image', args: {} }]);
    const byName = Object.fromEntries(results.map((r) => [r.name, r.content]));
    expect(byName.mcp__files__fail).toContain('the thing is broken');
    expect(byName.mcp__files__image).toBe('a picture:\n[image: image/png, 7 bytes, not shown]');
    const statuses = Object.fromEntries(systemEvents(frames, 'tool_result').map((f) => [f.data.name, f.data.status]));
    expect(statuses).toEqual({ mcp__files__fail: 'error', mcp__files__image: 'success' });
  });

  it('runs confined: only the allowlisted environment plus the config env, and the data dir is invisible', async () => {
    const { results } = await runTools(env, [{ name: 'mcp__files__env', args: {} }, { name: 'mcp__files__read', args: { path: `${env.s.home}/access_token` } }]);
    const names = results[0]!.content.split(',');
    expect(names).toContain('GREETING');
    expect(names).toContain('PATH');
    expect(names.filter((n) => /POCKETPAW|SECRET|KEY|TOKEN/.test(n))).toEqual([]);
    expect(results[1]!.content).toMatch(/cannot read: ENOENT/);
  });

  it('tools_deny group:mcp:<server> removes the tools; group:mcp in plan mode holds a call for the owner', async () => {
    await setSettings(env, { tools_deny: ['group:mcp:files'] });
    try {
      env.fake.reset();
      env.fake.enqueue(textReply('ok'));
      await runToolsNoCall();
      const req = (await env.fake.waitForRequests(1))[0]!;
      expect(offeredTools(req).filter((n) => n.startsWith('mcp__'))).toEqual([]);
    } finally {
      await setSettings(env, { tools_deny: [] });
    }

    await setSettings(env, { plan_mode: true, plan_mode_tools: ['group:mcp'] });
    try {
      env.fake.reset();
      env.fake.enqueue(toolCallReply('mcp__files__echo', { text: 'planned' }), textReply('done'));
      const sock = await connectChat(env.s.url);
      const from = sock.frames.length;
      sock.send({ action: 'chat', message: 'do it' });
      const proposal = await sock.waitFor((f) => f.type === 'plan_proposed', { from });
      expect(proposal.plan).toMatchObject({ tool: 'mcp__files__echo', args: { text: 'planned' } });
      const rejected = await env.s.post('/api/v1/plan/reject', { session_key: `websocket:${sock.chatId}` });
      expect(rejected.status).toBe(200);
      await sock.waitFor((f) => f.type === 'stream_end', { from });
      sock.close();
    } finally {
      await setSettings(env, { plan_mode: false });
    }
  });

  it('a call that hangs past the server\'s timeout is abandoned, and the tool result says so', async () => {
    await env.s.post('/api/v1/mcp/add', stdioServer('slowpoke', { timeout: 1 }));
    await waitConnected(env.s, 'slowpoke');
    const { results, frames } = await runTools(env, [{ name: 'mcp__slowpoke__slow', args: { ms: 20_000 } }]);
    expect(results[0]!.content).toContain("MCP server 'slowpoke' did not answer slow within 1 s");
    expect(systemEvents(frames, 'tool_result')[0]!.data).toMatchObject({ status: 'error', server: 'slowpoke' });
    // The server itself is fine: the next call works.
    const again = await runTools(env, [{ name: 'mcp__slowpoke__add', args: { a: 2, b: 3 } }]);
    expect(again.results[0]!.content).toBe('5');
    await env.s.post('/api/v1/mcp/remove', { name: 'slowpoke' });
  });

  it('a crash mid-call returns an error to the model; the status shows the error, then the server is restarted', async () => {
    await env.s.post('/api/v1/mcp/add', stdioServer('crashy'));
    await waitConnected(env.s, 'crashy');
    const { results } = await runTools(env, [{ name: 'mcp__crashy__crash', args: {} }]);
    expect(results[0]!.content).toMatch(/MCP server 'crashy' failed during crash: .*Connection closed/i);
    const st = await statusOf(env.s, 'crashy');
    expect(st).toMatchObject({ connected: false, tool_count: 0 });
    expect(st!.error).toMatch(/restarting in 1 s \(attempt 1\)/);
    const back = await waitConnected(env.s, 'crashy');
    expect(back).toMatchObject({ connected: true, error: '', tool_count: 8 });
    const again = await runTools(env, [{ name: 'mcp__crashy__echo', args: { text: 'alive' } }]);
    expect(again.results[0]!.content).toBe('echo: alive');
    await env.s.post('/api/v1/mcp/remove', { name: 'crashy' });
  });
});

/** A turn in which the model calls nothing (used to read what was offered). */
async function runToolsNoCall(): Promise<void> {
  const sock = await connectChat(env.s.url);
  const from = sock.frames.length;
  sock.send({ action: 'chat', message: 'hello' });
  await sock.turn(from, 20_000);
  sock.close();
}

describe('MCP lifecycle with the app', () => {
  it('closing the app kills the stdio server and everything it started', async () => {
    const tag = `pocketpaw-mcp-test-${crypto.randomUUID()}`;
    const s = await startTestServer();
    let closed = false;
    try {
      await s.post('/api/v1/mcp/add', stdioServer('lifecycle', { args: [STDIO_SERVER_SCRIPT, tag] }));
      await waitConnected(s, 'lifecycle');
      const pid = s.server.ctx.mcp.pid('lifecycle');
      expect(pid).toBeGreaterThan(0);
      expect(hostPids(tag).length).toBeGreaterThan(0);
      await s.close();
      closed = true;
      await eventually(() => hostPids(tag).length === 0, 'the server processes to exit');
      expect(() => process.kill(pid!, 0)).toThrow();
    } finally {
      if (!closed) await s.close();
    }
  }, 30_000);
});
