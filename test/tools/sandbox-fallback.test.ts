import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { connectChat, systemEvents } from '../helpers/ws-client.js';
import { auditLines, runTools, startToolServer, textReply, toolCallReply, toolResults } from './helpers.js';

/**
 * Without a sandbox (no bubblewrap, no user namespaces, another OS) every shell call waits for
 * the owner's approval, plan mode or not, and the plan says why. `POCKETPAW_SANDBOX=off` and a
 * PATH without bwrap stand in for such a machine.
 */

const envs: ChatTestEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});

async function server(extra: Record<string, string>, home?: string): Promise<ChatTestEnv> {
  const e = await startToolServer({ env: { POCKETPAW_OPENAI_API_KEY: 'sk-fallback-key-31337', ...extra }, home });
  envs.push(e);
  return e;
}

/** Starts a turn whose model calls shell with `command`; resolves once its plan is proposed. */
async function held(e: ChatTestEnv, command: string) {
  e.fake.reset();
  e.fake.enqueue(toolCallReply('shell', { command }), (req) => textReply(`Result: ${toolResults(req)[0]!.content}`));
  const sock = await connectChat(e.s.url);
  const from = sock.frames.length;
  sock.send({ action: 'chat', message: 'run it' });
  const proposal = await sock.waitFor((f) => f.type === 'plan_proposed', { from });
  return { sock, from, proposal, key: `websocket:${sock.chatId}` };
}

describe('no sandbox: shell calls wait for the owner', () => {
  it('POCKETPAW_SANDBOX=off: held with the reason, run (allowlisted environment) once approved, not run when rejected', async () => {
    const e = await server({ POCKETPAW_SANDBOX: 'off' });
    const ws = fs.realpathSync(`${e.s.home}-workspace`);
    const status = await e.s.get('/api/v1/tools/sandbox');
    expect(status.body).toMatchObject({ available: false, kind: 'none', reason: 'the sandbox is turned off (POCKETPAW_SANDBOX=off)', network: 'none' });

    const { sock, from, proposal, key } = await held(e, 'echo ran > ran.txt; env');
    expect(proposal.plan).toMatchObject({
      tool: 'shell', args: { command: 'echo ran > ran.txt; env' }, status: 'proposed',
      reason: 'No sandbox is available (the sandbox is turned off (POCKETPAW_SANDBOX=off)): shell commands need your approval',
    });
    expect(fs.existsSync(path.join(ws, 'ran.txt'))).toBe(false);
    expect((await e.s.post('/api/v1/plan/approve', { session_key: key })).status).toBe(200);
    const frames = await sock.turn(from);
    expect(systemEvents(frames, 'tool_result')[0]!.data).toMatchObject({ name: 'shell', status: 'success' });
    expect(fs.readFileSync(path.join(ws, 'ran.txt'), 'utf8')).toBe('ran\n');
    const out = toolResults((await e.fake.waitForRequests(2))[1]!)[0]!.content;
    expect(out).toContain(`HOME=${ws}`);
    expect(out).not.toContain('sk-fallback-key-31337');
    expect(out).not.toContain('POCKETPAW');
    sock.close();

    const second = await held(e, 'echo no > rejected.txt');
    expect((await e.s.post('/api/v1/plan/reject', { session_key: second.key })).status).toBe(200);
    await second.sock.turn(second.from);
    expect(fs.existsSync(path.join(ws, 'rejected.txt'))).toBe(false);
    expect(toolResults((await e.fake.waitForRequests(2))[1]!)[0]!.content).toContain('there is no sandbox, so each command needs approval');
    second.sock.close();
    const proposed = auditLines(e.s.home).filter((a) => a.action === 'plan_proposed');
    expect(proposed[0]!.context.reason).toMatch(/^No sandbox is available/);

    // The file tools are not held: they never leave the workspace anyway.
    const { results } = await runTools(e, [{ name: 'write_file', args: { path: 'free.txt', content: 'x' } }]);
    expect(results[0]!.content).toMatch(/Successfully wrote/);
  });

  it('no bwrap on PATH: the reason says how to install it', async () => {
    const e = await server({ PATH: tempDir('pocketpaw-empty-path-') });
    const status = await e.s.get('/api/v1/tools/sandbox');
    expect(status.body).toMatchObject({
      available: false, kind: 'none',
      reason: 'bubblewrap is not installed: run scripts/setup-system.sh (apt-get install bubblewrap)',
    });
    const { sock, proposal, key } = await held(e, 'true');
    expect(proposal.plan.reason).toBe('No sandbox is available (bubblewrap is not installed: run scripts/setup-system.sh (apt-get install bubblewrap)): shell commands need your approval');
    expect((await e.s.post('/api/v1/plan/reject', { session_key: key })).status).toBe(200);
    sock.close();
  });
});

describe('the workspace lives beside the data dir', () => {
  it('moves an old <data dir>/workspace to <data dir>-workspace on start', async () => {
    const home = tempDir('pocketpaw-migrate-');
    fs.mkdirSync(path.join(home, 'workspace', 'project'), { recursive: true });
    fs.writeFileSync(path.join(home, 'workspace', 'project', 'notes.txt'), 'kept');
    const e = await server({}, home);
    expect(fs.existsSync(path.join(home, 'workspace'))).toBe(false);
    expect(fs.readFileSync(`${home}-workspace/project/notes.txt`, 'utf8')).toBe('kept');
    const { results } = await runTools(e, [{ name: 'shell', args: { command: 'cat project/notes.txt' } }]);
    expect(results[0]!.content).toBe('kept');
  });

  it('workspace_dir puts it elsewhere', async () => {
    const dir = path.join(tempDir('pocketpaw-custom-ws-'), 'agent');
    try {
      const e = await server({ POCKETPAW_WORKSPACE_DIR: dir });
      expect(fs.statSync(dir).isDirectory()).toBe(true);
      const { results } = await runTools(e, [{ name: 'shell', args: { command: 'pwd; echo hi > hi.txt' } }]);
      expect(results[0]!.content).toBe(fs.realpathSync(dir));
      expect(fs.readFileSync(path.join(dir, 'hi.txt'), 'utf8')).toBe('hi\n');
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
