import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bwrapArgs, MASKED_DIRS, MASKED_FILES } from '../../src/tools/sandbox/argv.js';
import { checkDestination, matchesDomain } from '../../src/tools/sandbox/destinations.js';
import { commandEnv } from '../../src/tools/sandbox/env.js';

/**
 * The sandbox's rules as data: the bwrap command line a call gets, and the proxy's decisions.
 * (sandbox.test.ts runs them for real; these pin the cases a test machine cannot set up, such as
 * a data dir under /usr.)
 */

const plan = (home: string, workspace = '/tmp/pp-ws') => ({ extraFlags: [], workspace, home, env: { PATH: '/usr/bin' }, command: 'true' });

/** The index of the `flag a b` triple in `args`, or -1. */
function findTriple(args: string[], flag: string, a: string, b?: string): number {
  return args.findIndex((x, i) => x === flag && args[i + 1] === a && (b === undefined || args[i + 2] === b));
}

describe('bwrap arguments', () => {
  it('namespaces, no inherited environment, workspace read-write as cwd, root read-only', () => {
    const args = bwrapArgs(plan('/tmp/pp-home'));
    for (const f of ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--clearenv']) expect(args).toContain(f);
    expect(findTriple(args, '--bind', '/tmp/pp-ws', '/tmp/pp-ws')).toBeGreaterThan(findTriple(args, '--tmpfs', '/tmp'));
    expect(findTriple(args, '--chdir', '/tmp/pp-ws')).toBeGreaterThan(0);
    expect(findTriple(args, '--remount-ro', '/')).toBeGreaterThan(findTriple(args, '--bind', '/tmp/pp-ws'));
    expect(args.slice(-4)).toEqual(['--', '/bin/sh', '-c', 'true']);
    // Nothing of /home, /root, /var, /run, /sys.
    for (const p of ['/home', '/root', '/var', '/run', '/sys']) expect(args.some((a, i) => a.startsWith('--') && a.includes('bind') && args[i + 1] === p)).toBe(false);
  });

  it('masks credential files and folders that exist', () => {
    const args = bwrapArgs(plan('/tmp/pp-home'));
    for (const f of MASKED_FILES.filter((p) => fs.existsSync(p) && !fs.lstatSync(p).isSymbolicLink())) expect(findTriple(args, '--ro-bind', '/dev/null', f)).toBeGreaterThan(0);
    for (const d of MASKED_DIRS.filter((p) => fs.existsSync(p))) expect(findTriple(args, '--tmpfs', d)).toBeGreaterThan(findTriple(args, '--ro-bind', '/etc', '/etc'));
    if (fs.existsSync('/etc/shadow')) expect(findTriple(args, '--ro-bind', '/dev/null', '/etc/shadow')).toBeGreaterThan(0);
  });

  it('hides the data dir under an empty read-only folder when it lies under something bound, after every bind', () => {
    for (const home of ['/usr/share/pocketpaw-home', '/etc/pocketpaw', ...(fs.existsSync('/opt') ? ['/opt/pocketpaw/data'] : [])]) {
      const args = bwrapArgs(plan(home));
      const hidden = findTriple(args, '--tmpfs', home);
      expect(hidden, home).toBeGreaterThan(0);
      expect(findTriple(args, '--remount-ro', home)).toBe(hidden + 2);
      const lastBind = Math.max(...args.map((a, i) => (a === '--bind' || a === '--ro-bind' ? i : -1)));
      expect(hidden).toBeGreaterThan(lastBind);
    }
    // Under /tmp it is simply not there (fresh tmpfs): nothing to hide.
    expect(findTriple(bwrapArgs(plan('/tmp/pp-home')), '--tmpfs', '/tmp/pp-home')).toBe(-1);
  });

  it('with network: the node bridge runs the command, the proxy socket is bound in', () => {
    const args = bwrapArgs({
      ...plan('/tmp/pp-home'),
      bridge: { node: '/usr/bin/node', script: 'BRIDGE', port: 3128, hostSocket: '/tmp/pp-proxy/proxy.sock', sandboxSocket: '/run/pocketpaw/proxy.sock' },
    });
    expect(findTriple(args, '--ro-bind', '/tmp/pp-proxy/proxy.sock', '/run/pocketpaw/proxy.sock')).toBeGreaterThan(0);
    expect(args.slice(args.indexOf('--') + 1)).toEqual(['/usr/bin/node', '-e', 'BRIDGE', '3128', '/run/pocketpaw/proxy.sock', '/bin/sh', '-c', 'true']);
  });

  it('the environment is an allowlist', () => {
    const env = commandEnv({ PATH: '/usr/bin', LANG: 'C.UTF-8', OPENAI_API_KEY: 'x', POCKETPAW_ANTHROPIC_API_KEY: 'y', DATABASE_URL: 'postgres://u:p@h/db', HOME: '/root' }, { home: '/ws', tmpdir: '/tmp' });
    expect(env).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8', HOME: '/ws', TMPDIR: '/tmp', TERM: 'dumb' });
  });
});

describe('proxy destinations', () => {
  it('domain patterns: exact names, and *. for subdomains only', () => {
    expect(matchesDomain('example.com', 'example.com')).toBe(true);
    expect(matchesDomain('EXAMPLE.com.', 'example.com')).toBe(true);
    expect(matchesDomain('api.example.com', 'example.com')).toBe(false);
    expect(matchesDomain('api.example.com', '*.example.com')).toBe(true);
    expect(matchesDomain('a.b.example.com', '*.example.com')).toBe(true);
    expect(matchesDomain('example.com', '*.example.com')).toBe(false);
    expect(matchesDomain('badexample.com', '*.example.com')).toBe(false);
  });

  const all = { mode: 'all' as const, domains: [], serverPorts: [8888] };

  it('refuses loopback, private, link-local and unspecified addresses in any spelling unless the exact name is listed', async () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', '::ffff:127.0.0.1', '10.0.0.5', '192.168.1.1', '169.254.169.254', '0.0.0.0', '[::]', 'fe80::1', 'localhost']) {
      const v = await checkDestination(host, 80, all);
      expect(v.ok, host).toBe(false);
    }
    expect((await checkDestination('169.254.169.254', 80, { ...all, domains: ['*.254'] })).ok).toBe(false);
    expect(await checkDestination('127.0.0.1', 80, { ...all, domains: ['127.0.0.1'] })).toMatchObject({ ok: true, address: '127.0.0.1' });
  });

  it('never the server\'s own port on this machine, even when listed', async () => {
    for (const host of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      const v = await checkDestination(host, 8888, { ...all, domains: [host] });
      expect(v, host).toMatchObject({ ok: false, reason: expect.stringContaining("PocketPaw's own server") });
    }
    expect((await checkDestination('127.0.0.1', 8889, { ...all, domains: ['127.0.0.1'] })).ok).toBe(true);
  });

  it('none refuses everything; allowlist only listed names', async () => {
    expect(await checkDestination('1.1.1.1', 443, { ...all, mode: 'none' })).toMatchObject({ ok: false, reason: expect.stringContaining('no network') });
    expect(await checkDestination('1.1.1.1', 443, { ...all, mode: 'allowlist', domains: ['example.com'] })).toMatchObject({ ok: false, reason: expect.stringContaining('not in sandbox_allowed_domains') });
    expect(await checkDestination('1.1.1.1', 443, { ...all, mode: 'allowlist', domains: ['1.1.1.1'] })).toMatchObject({ ok: true, address: '1.1.1.1' });
    expect(await checkDestination('1.1.1.1', 443, all)).toMatchObject({ ok: true });
  });
});
