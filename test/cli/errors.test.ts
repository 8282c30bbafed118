import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeLlm, textReply, type FakeLlm } from '../helpers/fake-llm/index.js';
import { tempDir, writePocketPawDir } from '../helpers/pocketpaw-fixture.js';
import { BIN, cliEnv, expectNoStack, ROOT, runCli, type CliResult } from './cli.js';

// Errors that tell the truth, through the real CLI: the data dir's path and problem (not
// "ports below 1024"), no stack traces, exit codes, suggestions for mistyped commands, counts.

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const dirs: string[] = [];
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function expectOneClearError(res: CliResult): void {
  expect(res.code, res.stderr).toBe(1);
  expect(res.stderr).toMatch(/^Error: /);
  expect(res.stderr).not.toMatch(/ports below 1024/);
  expectNoStack(res.stderr);
}

describe('a data dir that cannot be written', () => {
  it('POCKETPAW_HOME under a regular file: every command names the path and the problem', async () => {
    const parent = dir();
    fs.writeFileSync(path.join(parent, 'a-file'), 'not a directory');
    const home = path.join(parent, 'a-file', 'pocketpaw');
    const source = writePocketPawDir({ websocket_x: [{ role: 'user', content: 'hi' }] });
    dirs.push(path.dirname(source));
    for (const args of [['serve', '--port', '0'], ['token'], ['sessions', 'list'], ['chat', 'hi'], ['security-audit'], ['import', source]]) {
      const res = await runCli(args, home);
      expectOneClearError(res);
      expect(res.stderr, args.join(' ')).toContain(`Cannot write to the data directory ${home}: a part of the path is a file, not a directory (ENOTDIR)`);
      expect(res.stderr, args.join(' ')).toContain('POCKETPAW_HOME');
    }
  });

  it('something in the way inside the data dir: named, with what to do', async () => {
    const home = dir();
    fs.mkdirSync(path.join(home, 'pocketpaw.db'));
    for (const args of [['serve', '--port', '0'], ['sessions', 'list']]) {
      const res = await runCli(args, home);
      expectOneClearError(res);
      expect(res.stderr).toContain(`Cannot write to ${path.join(home, 'pocketpaw.db')} (in the data directory ${home}): it is a directory where a file belongs (EISDIR)`);
    }
  });

  it('a data dir owned by someone else: permission denied with the path and the fix, not a port problem', async () => {
    const home = dir();
    // As root, permission bits do not stop writes: run the CLI as `nobody` against a root-owned
    // dir. As anyone else, a dir without write permission does the same.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const reach = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.R_OK)`], { uid: 65534, gid: 65534 });
      if (reach.status !== 0) throw new Error(`As root this test runs the CLI as 'nobody', who cannot read ${BIN}: run the tests from a checkout other users can read (e.g. chmod o+rx on its parent folders), or as a non-root user`);
      fs.chmodSync(home, 0o755);
    }
    else fs.chmodSync(home, 0o500);
    const scratch = dir();
    fs.chmodSync(scratch, 0o777);
    const res = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
        cwd: ROOT, env: cliEnv(home, { HOME: scratch, TMPDIR: scratch }), stdio: ['ignore', 'pipe', 'pipe'],
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    if (!asRoot) fs.chmodSync(home, 0o700);
    expectOneClearError(res);
    expect(res.stderr).toMatch(/Cannot write to .*\(in the data directory .*\): permission denied \(EACCES\)|Cannot write to the data directory .*: permission denied \(EACCES\)/);
    expect(res.stderr).toContain(home);
    expect(res.stderr).toContain('POCKETPAW_HOME');
    expect(res.stderr).not.toMatch(/Cannot listen/);
  });
});

describe('no stack traces', () => {
  it('export to a path that cannot be written names that path', async () => {
    const home = dir();
    const chat = await runCli(['chat', 'hello'], home, { POCKETPAW_LLM_PROVIDER: 'ollama', POCKETPAW_OLLAMA_HOST: 'http://127.0.0.1:9', POCKETPAW_LLM_MAX_RETRIES: '0' });
    expect(chat.code).toBe(1);
    const id = JSON.parse((await runCli(['sessions', 'list', '--json'], home)).stdout).sessions[0].id as string;
    fs.writeFileSync(path.join(home, 'plain'), '');
    const target = path.join(home, 'plain', 'out.md');
    const res = await runCli(['sessions', 'export', id, '-o', target], home);
    expectOneClearError(res);
    expect(res.stderr).toContain(target);
    expect(res.stderr).toContain('not a directory (ENOTDIR)');
  });
});

describe('mistyped commands', () => {
  it('suggests the closest command and exits 1 without starting anything', async () => {
    const home = dir();
    const typo = await runCli(['sesions'], home);
    expectOneClearError(typo);
    expect(typo.stderr).toContain("Unknown command 'sesions'. Did you mean 'sessions'?");
    expect(typo.stdout).toBe('');
    const far = await runCli(['frobnicate'], home);
    expectOneClearError(far);
    expect(far.stderr).toMatch(/Unknown command 'frobnicate'\. Commands: serve, import, token, chat, sessions, mcp, security-audit/);
    // `help` is not a typo.
    const help = await runCli(['help', 'sessions'], home);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pocketpaw sessions');
  });
});

describe('chat commands through the CLI', () => {
  let fake: FakeLlm;
  let home: string;
  beforeAll(async () => {
    fake = await startFakeLlm();
    home = dir();
    // In config.json, not the environment: `/model` saves there and the environment would win.
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({
      llm_provider: 'auto', agent_backend: 'claude_agent_sdk',
      claude_sdk_provider: 'openai_compatible', claude_sdk_model: 'sdk-model',
      openai_compatible_base_url: fake.openaiBaseUrl, openai_compatible_model: 'compat-own-model',
      llm_max_retries: 0, auto_title_llm: false,
    }));
  });
  afterAll(() => fake.close());

  it('counts are singular for one; /status names the provider and model that answer; /model sets the one used', async () => {
    fake.enqueue(textReply('One answer.'));
    const first = await runCli(['chat', 'First question'], home);
    expect(first.code, first.stderr).toBe(0);
    expect(fake.requests.at(-1)!.body.model).toBe('sdk-model');

    const list = await runCli(['sessions', 'list'], home);
    expect(list.stdout).toMatch(/ {3}2 msgs {2}cli_/);
    expect(list.stdout.trim().split('\n').at(-1)).toBe('1 of 1 session');

    const sessions = await runCli(['chat', '--continue', '/sessions'], home);
    expect(sessions.stdout).toMatch(/^1\. .* — 2 messages \(active\)$/m);

    const status = await runCli(['chat', '--continue', '/status'], home);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Provider: openai_compatible\n');
    expect(status.stdout).toContain('Model: sdk-model\n');
    expect(status.stdout).toContain('Backend: claude_agent_sdk');

    const set = await runCli(['chat', '/model', 'sdk-model-2'], home);
    expect(set.stdout).toContain('(claude_sdk_model)');
    fake.enqueue(textReply('Second answer.'));
    const next = await runCli(['chat', 'Which model?'], home);
    expect(next.code, next.stderr).toBe(0);
    expect(fake.requests.at(-1)!.body.model).toBe('sdk-model-2');
  });

  it('one message: "1 msg" and "1 message"', async () => {
    const own = dir();
    // No model: the question is stored, no answer (the setup steps go to stderr).
    const res = await runCli(['chat', 'Only question'], own, { POCKETPAW_LLM_PROVIDER: 'auto', POCKETPAW_OLLAMA_HOST: 'http://127.0.0.1:9' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('No AI model is configured');
    const list = await runCli(['sessions', 'list'], own);
    expect(list.stdout).toMatch(/ {3}1 msg {3}cli_/);
    const sessions = await runCli(['chat', '--continue', '/sessions'], own);
    expect(sessions.stdout).toMatch(/^1\. .* — 1 message \(active\)$/m);
  });
});
