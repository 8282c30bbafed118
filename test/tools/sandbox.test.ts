import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { auditLines, eventually, runTools, setSettings, startToolServer } from './helpers.js';

/**
 * The shell sandbox through the real entry point: a server on an ephemeral port, a fake model
 * that issues shell calls, and the command outputs the model gets back. Every escape attempt
 * here must fail; the secrets are real ones of this server (its access token, the provider key
 * in its environment, an SSH key in its $HOME).
 */

const PROVIDER_KEY = 'sk-sandbox-provider-key-4242';
const SSH_KEY = 'PRIVATE-SSH-KEY-MARKER-7777';

let env: ChatTestEnv;
let home: string;
let ws: string;
let fakeHome: string;
let serverPort: number;
let target: http.Server;
let targetPort: number;
const saved = { HOME: process.env.HOME, KEY: process.env.POCKETPAW_OPENAI_API_KEY };

beforeAll(async () => {
  fakeHome = tempDir('pocketpaw-fakehome-');
  fs.mkdirSync(path.join(fakeHome, '.ssh'), { mode: 0o700 });
  fs.writeFileSync(path.join(fakeHome, '.ssh', 'id_ed25519'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_KEY}\n`, { mode: 0o600 });
  // The server process's own environment holds them too, as in production (`npm start` with the key set).
  process.env.HOME = fakeHome;
  process.env.POCKETPAW_OPENAI_API_KEY = PROVIDER_KEY;
  env = await startToolServer({ env: { HOME: fakeHome, POCKETPAW_OPENAI_API_KEY: PROVIDER_KEY } });
  home = env.s.home;
  ws = fs.realpathSync(`${home}-workspace`);
  serverPort = env.s.server.port;
  target = http.createServer((req, res) => res.end(`target says hi ${req.url}`));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', () => resolve()));
  targetPort = (target.address() as { port: number }).port;
});

afterAll(async () => {
  await env?.close();
  target?.close();
  process.env.HOME = saved.HOME;
  if (saved.KEY === undefined) delete process.env.POCKETPAW_OPENAI_API_KEY;
  else process.env.POCKETPAW_OPENAI_API_KEY = saved.KEY;
  fs.rmSync(fakeHome, { recursive: true, force: true });
});

/** Runs the commands as shell calls of one turn (in parallel); their outputs in order. */
async function sh(...commands: string[]): Promise<string[]> {
  const { results } = await runTools(env, commands.map((command) => ({ name: 'shell', args: { command } })));
  expect(results.map((r) => r.name)).toEqual(commands.map(() => 'shell'));
  return results.map((r) => r.content);
}

function hostPids(pattern: string): number[] {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

function expectNoSecrets(outputs: string[], commands: string[]): void {
  outputs.forEach((out, i) => {
    const shown = `${commands[i]} →\n${out}`;
    expect(out, shown).not.toContain(env.s.token);
    expect(out, shown).not.toContain(PROVIDER_KEY);
    expect(out, shown).not.toContain('sk-test-openai');
    expect(out, shown).not.toContain(SSH_KEY);
  });
}

describe('the shell sandbox (bubblewrap)', () => {
  it('reports itself: GET /api/v1/tools/sandbox', async () => {
    const res = await env.s.get('/api/v1/tools/sandbox');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      available: true, kind: 'bubblewrap', reason: expect.stringContaining('bubblewrap'),
      network: 'none', allowed_domains: [], workspace: `${home}-workspace`,
    });
  });

  it('escape attempts on the data dir, the environment and ~/.ssh all fail', async () => {
    const commands = [
      `cat ${home}/access_token`,
      `cat ../${path.basename(home)}/access_token`,
      `ls -la ${home} ${path.dirname(home)}`,
      'find / -name access_token 2>/dev/null; find / -name pocketpaw.db 2>/dev/null; find / -name secrets.json 2>/dev/null; echo searched',
      'env',
      "cat /proc/$PPID/environ | tr '\\0' '\\n'",
      "cat /proc/1/environ | tr '\\0' '\\n'",
      "cat /proc/*/environ | tr '\\0' '\\n'",
      'cat ~/.ssh/id_ed25519',
      `cat ${fakeHome}/.ssh/id_ed25519`,
      'ls -la /root /home /var',
      'cat /etc/shadow; ls /etc/ssh',
    ];
    const out = await sh(...commands);
    expectNoSecrets(out, commands);
    expect(out[0]).toContain('No such file or directory');
    expect(out[1]).toContain('No such file or directory');
    expect(out[3]).toBe('searched');
    // Only the allowlist: HOME is the workspace, nothing of the server's environment.
    const names = out[4]!.split('\n').map((l) => l.split('=')[0]).sort();
    expect(names).toEqual(['HOME', 'LANG', 'LC_ALL', 'PATH', 'PWD', 'SHLVL', 'TERM', 'TMPDIR', '_'].filter((n) => names.includes(n)));
    expect(out[4]).toContain(`HOME=${ws}`);
    expect(out[4]).not.toContain('POCKETPAW');
    // PID 1 is the sandbox's own init: its environment is the allowlist too.
    expect(out[6]).toContain('TMPDIR=/tmp');
    expect(out[6]).not.toContain('POCKETPAW');
    expect(out[9]).toContain('No such file or directory');
    expect(out[11]).toMatch(/cat: \/etc\/shadow: Permission denied/);
  });

  it('no network: neither the host nor the owner API is reachable, with curl or node', async () => {
    const node = `node -e "require('http').get('http://127.0.0.1:${targetPort}/n', (r) => console.log('GOT', r.statusCode)).on('error', (e) => console.log('ERR', e.code))"`;
    const commands = [
      `curl -sS --max-time 5 http://127.0.0.1:${targetPort}/c`,
      node,
      `curl -sS --max-time 5 http://127.0.0.1:${serverPort}/api/v1/settings`,
      `curl -sS --max-time 5 -x http://127.0.0.1:3128 http://localhost:${targetPort}/p`,
      'curl -sS --max-time 5 http://example.com/',
    ];
    const out = await sh(...commands);
    expectNoSecrets(out, commands);
    for (const o of out) expect(o).not.toContain('target says hi');
    for (const o of out) expect(o).not.toContain('web_port');
    expect(out[0]).toMatch(/Failed to connect|Couldn't connect/);
    expect(out[1]).toBe('ERR ECONNREFUSED');
    expect(out[2]).toMatch(/Failed to connect|Couldn't connect/);
    expect(out[4]).toMatch(/Could not resolve host/);
  });

  it('nothing the command starts outlives the call (setsid, nohup, &)', async () => {
    const [out] = await sh("setsid -f sleep 987654; nohup sleep 987653 >/dev/null 2>&1 & (sleep 987652 &) ; sleep 0.3; pgrep -c -x sleep");
    expect(out).toBe('3'); // they did start, inside
    await eventually(() => hostPids('sleep 98765[234]').length === 0, 'no sleep 98765x left on the host', 3000);
  });

  it('cannot write outside the workspace; /tmp is its own and empty', async () => {
    const commands = [
      'touch /usr/x',
      'touch /tmp/../etc/x',
      'touch /x',
      'mkdir -p /home/x',
      `mkdir -p ${home} && touch ${home}/planted && echo planted-in-sandbox-tmp`,
      'ls -A /tmp',
    ];
    const out = await sh(...commands);
    expect(out[0]).toMatch(/Read-only file system/);
    expect(out[1]).toMatch(/Read-only file system/);
    expect(out[2]).toMatch(/Read-only file system/);
    expect(out[3]).toMatch(/Read-only file system/);
    // The data dir's path only exists in the sandbox's private /tmp: nothing lands in the real one.
    expect(out[4]).toBe('planted-in-sandbox-tmp');
    expect(fs.existsSync(path.join(home, 'planted'))).toBe(false);
    expect(fs.existsSync('/usr/x')).toBe(false);
    expect(fs.existsSync('/etc/x')).toBe(false);
    // Only the path down to the bound workspace.
    expect(out[5]).toBe(path.relative('/tmp', ws).split(path.sep)[0]);
  });

  it('the workspace is read-write and shared with read_file / write_file', async () => {
    const [pwd, made] = await sh('pwd', 'echo from-shell > shared.txt && echo ok');
    expect(pwd).toBe(ws);
    expect(made).toBe('ok');
    expect(fs.readFileSync(path.join(ws, 'shared.txt'), 'utf8')).toBe('from-shell\n');
    let { results } = await runTools(env, [{ name: 'read_file', args: { path: 'shared.txt' } }]);
    expect(results[0]!.content).toContain('from-shell');
    ({ results } = await runTools(env, [{ name: 'write_file', args: { path: 'sub/from-tool.txt', content: 'from-tool' } }]));
    expect(results[0]!.content).toMatch(/Successfully wrote/);
    expect(await sh('cat sub/from-tool.txt')).toEqual(['from-tool']);
  });

  it('refuses tools while the agent folder would expose the data dir, naming the setting', async () => {
    try {
      await setSettings(env, { workspace_dir: home });
      let out = await sh('echo ran');
      expect(out[0]).toMatch(/is the data dir .*change the setting workspace_dir/);
      await setSettings(env, { workspace_dir: path.join(home, 'inner') });
      const { results } = await runTools(env, [{ name: 'read_file', args: { path: 'x.txt' } }]);
      expect(results[0]!.content).toMatch(/lies inside the data dir .*change the setting workspace_dir/);
      await setSettings(env, { workspace_dir: '', file_jail_path: path.dirname(home) });
      out = await sh('echo ran');
      expect(out[0]).toMatch(/contains the data dir .*change the setting file_jail_path/);
    } finally {
      await setSettings(env, { workspace_dir: '', file_jail_path: '' });
    }
    expect(await sh('echo ran')).toEqual(['ran']);
  });
});

describe('sandbox network through the proxy', () => {
  const ownApi = () => `curl -sS --max-time 5 http://localhost:${serverPort}/api/v1/settings`;

  it('allowlist: a listed host passes (plain and CONNECT), an unlisted one gets 403, loopback needs its exact name, the owner API never', async () => {
    await setSettings(env, { sandbox_network: 'allowlist', sandbox_allowed_domains: ['localhost'] });
    try {
      const commands = [
        `curl -sS --max-time 5 http://localhost:${targetPort}/plain`,
        `curl -sS --max-time 5 --proxytunnel http://localhost:${targetPort}/tunnel`,
        `curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://unlisted.example/; echo; curl -sS --max-time 5 http://unlisted.example/`,
        `curl -sS --max-time 5 --proxytunnel http://unlisted.example/`,
        `curl -sS --max-time 5 http://127.0.0.1:${targetPort}/ip`,
        ownApi(),
        `curl -sS --max-time 5 --noproxy '*' http://127.0.0.1:${serverPort}/api/v1/settings`,
        `curl -sS --max-time 5 http://127.0.0.1:${serverPort}/api/v1/settings`,
        `node -e "require('http').get('http://127.0.0.1:${targetPort}/n', (r) => console.log('GOT', r.statusCode)).on('error', (e) => console.log('ERR', e.code))"`,
      ];
      const out = await sh(...commands);
      expectNoSecrets(out, commands);
      expect(out[0]).toBe('target says hi /plain');
      expect(out[1]).toBe('target says hi /tunnel');
      expect(out[2]).toBe('403\nunlisted.example is not in sandbox_allowed_domains. Add it there (or set sandbox_network to "all") to allow it.');
      expect(out[3]).toMatch(/CONNECT tunnel failed, response 403/);
      expect(out[4]).toMatch(/127\.0\.0\.1 is not in sandbox_allowed_domains/);
      expect(out[5]).toBe(`localhost:${serverPort} is PocketPaw's own server, which the sandbox may never reach.`);
      expect(out[6]).toMatch(/Failed to connect|Couldn't connect/);
      expect(out[7]).toMatch(/not in sandbox_allowed_domains/);
      // Node's http ignores the proxy variables: still no direct way out.
      expect(out[8]).toBe('ERR ECONNREFUSED');
      for (const o of out) expect(o).not.toContain('web_port');
      const blocked = auditLines(home).filter((e) => e.action === 'sandbox_network_blocked');
      expect(blocked.map((e) => e.target)).toContain('unlisted.example:80');
    } finally {
      await setSettings(env, { sandbox_network: 'none', sandbox_allowed_domains: [] });
    }
  });

  it('all: loopback still needs its exact name, and the server\'s own port is refused even then', async () => {
    await setSettings(env, { sandbox_network: 'all', sandbox_allowed_domains: [] });
    try {
      let out = await sh(`curl -sS --max-time 5 http://localhost:${targetPort}/x`, ownApi(), `curl -sS --max-time 5 http://[::ffff:127.0.0.1]:${serverPort}/api/v1/settings`);
      expect(out[0]).toMatch(/^localhost resolves to .+ a loopback, private, link-local or unspecified address\. List the exact name "localhost"/);
      expect(out[1]).toMatch(/PocketPaw's own server|loopback/);
      expect(out[2]).toMatch(/PocketPaw's own server|loopback/);
      await setSettings(env, { sandbox_allowed_domains: ['localhost', '127.0.0.1'] });
      out = await sh(`curl -sS --max-time 5 http://localhost:${targetPort}/x`, ownApi(), `curl -sS --max-time 5 --proxytunnel http://127.0.0.1:${serverPort}/api/v1/settings`);
      expect(out[0]).toBe('target says hi /x');
      expect(out[1]).toBe(`localhost:${serverPort} is PocketPaw's own server, which the sandbox may never reach.`);
      expect(out[2]).toMatch(/CONNECT tunnel failed, response 403/);
      for (const o of out) expect(o).not.toContain('web_port');
    } finally {
      await setSettings(env, { sandbox_network: 'none', sandbox_allowed_domains: [] });
    }
  });
});
