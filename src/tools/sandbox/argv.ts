import fs from 'node:fs';
import path from 'node:path';
import { isInside } from '../fs/jail.js';

/**
 * The bubblewrap command line for one shell call. Pure apart from looking at which system
 * folders exist, so tests can read exactly what a command will see.
 *
 * What the command sees: the system read-only, with credentials masked; a fresh /tmp, /var/tmp,
 * /proc and /dev; the workspace read-write at its real path. Not /home, /root, /var, /run, /sys,
 * the data dir, or anything else of the host.
 */

/**
 * Own PID, network, IPC, UTS, cgroup and user namespaces: the command sees only its own
 * processes, has no network interface but loopback, and runs as uid 1000 without capabilities.
 * `--die-with-parent` kills the sandbox when bwrap goes (a timeout or stop kills bwrap);
 * `--new-session` keeps a command from pushing keystrokes into a terminal (TIOCSTI).
 */
export function namespaceArgs(): string[] {
  return ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--uid', '1000', '--gid', '1000', '--hostname', 'sandbox'];
}

/** System folders bound read-only when they exist (symlinks such as Debian's merged-/usr `/bin` are recreated as symlinks). */
export const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];

/** Files under /etc that hold credentials: shown as unreadable (bound to /dev/null). */
export const MASKED_FILES = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers', '/etc/security/opasswd'];
/** Folders under /etc that hold credentials (SSH host keys, TLS private keys, sudo rules): shown empty. */
export const MASKED_DIRS = ['/etc/ssh', '/etc/sudoers.d', '/etc/ssl/private'];

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** An empty read-only folder over `p`. */
function hideDir(p: string): string[] {
  return ['--tmpfs', p, '--remount-ro', p];
}

/** The read-only system, with credential files masked. */
export function systemMountArgs(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const st = lstat(dir);
    if (st?.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(dir), dir);
    else if (st?.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  // Symlinks are skipped: binding over one would mask its target, wherever that is; a real file is masked in place.
  for (const f of MASKED_FILES) if (lstat(f)?.isFile()) args.push('--ro-bind', '/dev/null', f);
  for (const d of MASKED_DIRS) if (lstat(d)?.isDirectory()) args.push(...hideDir(d));
  return args;
}

/** The network bridge run inside the sandbox when it has network (see bridge.ts). */
export interface BridgeSpec {
  /** Real path of the node binary, run inside the sandbox. */
  node: string;
  script: string;
  /** Port on the sandbox's own 127.0.0.1. */
  port: number;
  /** The proxy's unix socket on the host… */
  hostSocket: string;
  /** …and where it appears in the sandbox. */
  sandboxSocket: string;
}

export interface BwrapPlan {
  /** Flags the installed bwrap supports beyond the base set (see detect.ts). */
  extraFlags: string[];
  /** The workspace, real path: bound read-write and the working directory. */
  workspace: string;
  /** The data dir: never visible, hidden under an empty folder if it lies below anything bound. */
  home: string;
  /** The command's environment (the allowlist); bwrap clears everything else. */
  env: Record<string, string>;
  /** A shell command line, run as `/bin/sh -c <command>`… */
  command?: string;
  /** …or a program and its arguments, run as they are (an MCP server). */
  exec?: string[];
  /** More folders bound read-write at their real paths (an MCP server's `sandbox.folders`). */
  folders?: string[];
  /** Files or folders bound read-only when no system folder holds them (the program, its runtime). */
  readOnly?: string[];
  bridge?: BridgeSpec;
}

/** Where the proxy socket appears inside the sandbox. */
export const SANDBOX_SOCKET = '/run/pocketpaw/proxy.sock';

export function bwrapArgs(plan: BwrapPlan): string[] {
  const args = [...namespaceArgs(), ...plan.extraFlags, ...systemMountArgs()];
  const bound = SYSTEM_DIRS.filter((d) => lstat(d)?.isDirectory());
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/var/tmp');
  if (plan.bridge) {
    // node must exist inside: bind its binary when it lives outside the system folders (nvm, ~/.local).
    if (!bound.some((d) => isInside(d, plan.bridge!.node))) {
      args.push('--ro-bind', plan.bridge.node, plan.bridge.node);
      bound.push(plan.bridge.node);
    }
    args.push('--ro-bind', plan.bridge.hostSocket, plan.bridge.sandboxSocket);
  }
  for (const p of plan.readOnly ?? []) {
    if (bound.some((d) => isInside(d, p))) continue;
    args.push('--ro-bind', p, p);
    bound.push(p);
  }
  // After the /tmp tmpfs: a workspace under /tmp is bound on top of the fresh one.
  args.push('--bind', plan.workspace, plan.workspace);
  bound.push(plan.workspace);
  for (const dir of plan.folders ?? []) {
    args.push('--bind', dir, dir);
    bound.push(dir);
  }
  // Last, so nothing bound later uncovers it. (A jail holding the data dir is refused before we get here.)
  // Both as written and by real path: a data dir reached through a symlink is hidden where it really is.
  for (const home of new Set([path.resolve(plan.home), realpathOr(plan.home)])) {
    if (bound.some((d) => isInside(d, home))) args.push(...hideDir(home));
  }
  // Nothing new can be created at the root of the sandbox; /tmp, /var/tmp and the workspace stay writable.
  args.push('--remount-ro', '/', '--chdir', plan.workspace, '--clearenv');
  for (const [k, v] of Object.entries(plan.env)) args.push('--setenv', k, v);
  args.push('--');
  const run = plan.exec ?? ['/bin/sh', '-c', plan.command ?? ''];
  if (plan.bridge) {
    const b = plan.bridge;
    args.push(b.node, '-e', b.script, String(b.port), b.sandboxSocket, ...run);
  } else {
    args.push(...run);
  }
  return args;
}
