import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { namespaceArgs, systemMountArgs } from './argv.js';
import { commandEnv } from './env.js';

/** Whether bubblewrap can confine commands on this machine, and why not when it cannot. */
export interface Detection {
  available: boolean;
  /** Absolute path of `bwrap` when available. */
  bwrap: string | null;
  /** Extra bwrap flags this version supports and we want (`--disable-userns` from 0.8). */
  extraFlags: string[];
  /** Human words: what works, or why not and what to do. */
  reason: string;
}

/**
 * `POCKETPAW_SANDBOX=off` turns the sandbox off (every shell call then waits for the owner's
 * approval): for tests of that fallback, and for an operator who must run without it.
 * Turning it off never makes anything less guarded, only slower to approve.
 */
export const SANDBOX_SWITCH = 'POCKETPAW_SANDBOX';

/** The first executable `name` on `PATH`. */
export function findOnPath(name: string, PATH: string | undefined): string | null {
  for (const dir of (PATH ?? '').split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue; // a relative PATH entry would depend on the cwd
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

const NO_USERNS = /namespace|uid map|setting up uid|Operation not permitted|Permission denied|No permissions/i;

/** Turns a failed probe's stderr into what the owner should read. */
function probeFailure(stderr: string): string {
  const msg = stderr.trim().split('\n').at(-1)?.replace(/^bwrap:\s*/, '') || 'no error message';
  if (NO_USERNS.test(msg)) {
    return `this kernel does not allow user namespaces (bwrap: ${msg}): allow unprivileged user namespaces `
      + '(sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 23.10+ kernel.apparmor_restrict_unprivileged_userns=0), '
      + 'or give the container a seccomp/AppArmor profile that permits them';
  }
  return `bubblewrap is installed but fails here (bwrap: ${msg})`;
}

function probe(bwrap: string, extraFlags: string[]): Promise<{ ok: boolean; stderr: string }> {
  // The same namespaces and system mounts a real call uses, running /bin/true: if this works, calls work.
  const args = [...namespaceArgs(), ...extraFlags, ...systemMountArgs(), '--proc', '/proc', '--dev', '/dev', '--', '/bin/true'];
  return new Promise((resolve) => {
    execFile(bwrap, args, { timeout: 10_000, env: commandEnv({}, { home: '/', tmpdir: '/tmp' }) }, (err, _stdout, stderr) => {
      resolve({ ok: !err, stderr: String(stderr || (err ? err.message : '')) });
    });
  });
}

async function detectNow(env: NodeJS.ProcessEnv): Promise<Detection> {
  const none = (reason: string): Detection => ({ available: false, bwrap: null, extraFlags: [], reason });
  const sw = (env[SANDBOX_SWITCH] ?? '').trim().toLowerCase();
  if (sw === 'off' || sw === '0' || sw === 'false') return none(`the sandbox is turned off (${SANDBOX_SWITCH}=${env[SANDBOX_SWITCH]})`);
  if (process.platform !== 'linux') return none(`the sandbox uses bubblewrap, which exists only on Linux (this is ${process.platform})`);
  const bwrap = findOnPath('bwrap', env.PATH);
  if (!bwrap) return none('bubblewrap is not installed: run scripts/setup-system.sh (apt-get install bubblewrap)');
  // `--disable-userns` (bwrap ≥ 0.8) stops commands from making nested user namespaces, which
  // cuts the kernel surface they can reach; older versions run without it.
  let extraFlags = ['--disable-userns'];
  let r = await probe(bwrap, extraFlags);
  if (!r.ok && /unknown option|disable-userns/i.test(r.stderr)) {
    extraFlags = [];
    r = await probe(bwrap, extraFlags);
  }
  if (!r.ok) return none(probeFailure(r.stderr));
  return { available: true, bwrap, extraFlags, reason: `bubblewrap (${bwrap}) works here: shell commands run confined to the workspace` };
}

/** Detections by switch and PATH: probing costs a process start, and the answer does not change while we run. */
const cache = new Map<string, Promise<Detection>>();

/** Finds `bwrap` on `env.PATH` and probes it once (cached per PATH and `POCKETPAW_SANDBOX`). */
export function detectSandbox(env: NodeJS.ProcessEnv = process.env): Promise<Detection> {
  const key = `${env[SANDBOX_SWITCH] ?? ''}\0${env.PATH ?? ''}`;
  let d = cache.get(key);
  if (!d) {
    d = detectNow(env);
    cache.set(key, d);
  }
  return d;
}
