import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../../config/settings.js';
import { isInside, jailRoot } from '../fs/jail.js';
import { bwrapArgs, SANDBOX_SOCKET, SYSTEM_DIRS } from './argv.js';
import { BRIDGE_PORT, BRIDGE_SCRIPT } from './bridge.js';
import type { NetworkMode } from './destinations.js';
import { detectSandbox, findOnPath, type Detection } from './detect.js';
import { commandEnv, DEFAULT_PATH } from './env.js';
import { SandboxProxy, type ProxyRefusal } from './proxy.js';

/** What `GET /api/v1/tools/sandbox` and the security audit report. */
export interface SandboxStatus {
  available: boolean;
  kind: 'bubblewrap' | 'none';
  /** Human words: what confines commands, or why nothing does and what to do. */
  reason: string;
  network: NetworkMode;
  allowed_domains: string[];
  /** The folder commands work in (bound read-write). */
  workspace: string;
}

/** How to start one command: the program, its arguments and its (allowlisted) environment. */
export interface CommandSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  sandboxed: boolean;
}

/** A program to run confined (an MCP server over stdio), not a shell command line. */
export interface ProgramSpec {
  /** The program: a name looked up on PATH, or a path. */
  command: string;
  args: string[];
  /** Added to the sandbox's allowlisted environment (wins over it). */
  env: Record<string, string>;
  /** The working folder (real path), bound read-write: the agent's workspace. */
  workspace: string;
  /** More folders bound read-write (absolute; never the data dir or a folder holding it). */
  folders: string[];
  /**
   * Network through the sandbox proxy, any public destination (PocketPaw's own port, loopback
   * and private addresses stay refused); programs must honour HTTP(S)_PROXY. Off: none at all.
   */
  network: boolean;
}

export interface SandboxDeps {
  home: string;
  /** The current settings: the proxy reads the network policy per connection, so changes apply at once. */
  settings: () => Settings;
  /** The server's environment: PATH to find bwrap, the locale, `POCKETPAW_SANDBOX`. */
  env: NodeJS.ProcessEnv;
  /** Told about every destination the proxy refuses. */
  onRefuse?: (r: ProxyRefusal) => void;
}

/** Status from a detection and the settings (no side effects: the security audit calls this). */
export async function sandboxStatus(opts: { home: string; settings: Settings; env?: NodeJS.ProcessEnv }): Promise<SandboxStatus> {
  return statusOf(await detectSandbox(opts.env ?? process.env), opts.settings, opts.home);
}

function statusOf(d: Detection, settings: Settings, home: string): SandboxStatus {
  return {
    available: d.available,
    kind: d.available ? 'bubblewrap' : 'none',
    reason: d.reason,
    network: settings.sandbox_network,
    allowed_domains: [...settings.sandbox_allowed_domains],
    workspace: jailRoot(settings, home),
  };
}

/**
 * The shell's sandbox: turns a command into a bubblewrap invocation (or, without bubblewrap, a
 * plain /bin/sh one that the gate holds for the owner's approval), and owns the network proxy,
 * started on the first networked call and closed with the tool setup.
 */
export class Sandbox {
  private readonly portSources: (() => number[])[] = [];
  private proxy: Promise<SandboxProxy> | null = null;
  /** The proxy of programs granted the network (`ProgramSpec.network`): public destinations, whatever the shell's setting. */
  private openProxy: Promise<SandboxProxy> | null = null;
  private closed = false;

  constructor(private readonly deps: SandboxDeps) {}

  detect(): Promise<Detection> {
    return detectSandbox(this.deps.env);
  }

  async status(settings: Settings): Promise<SandboxStatus> {
    return statusOf(await this.detect(), settings, this.deps.home);
  }

  /**
   * PocketPaw's own listening port(s), never reachable through the proxy (the owner API trusts
   * 127.0.0.1); the server adds its port once it listens. Loopback is refused anyway unless listed.
   */
  addServerPorts(source: () => number[]): void {
    this.portSources.push(source);
  }

  serverPorts(): number[] {
    const out = new Set<number>();
    for (const source of this.portSources) {
      try {
        for (const p of source()) if (Number.isInteger(p) && p > 0) out.add(p);
      } catch {
        // A source that cannot answer (server closing) adds nothing; loopback stays refused by default anyway.
      }
    }
    return [...out];
  }

  /** How to run `command` in `workspace` (real path) with these settings. */
  async prepare(command: string, workspace: string, settings: Settings): Promise<CommandSpec> {
    const d = await this.detect();
    if (!d.available || !d.bwrap) {
      // No sandbox: the gate has held this call for the owner's approval. Still no inherited secrets.
      const env = commandEnv(this.deps.env, { home: workspace, tmpdir: os.tmpdir() });
      return { file: '/bin/sh', args: ['-c', command], env, sandboxed: false };
    }
    const networked = settings.sandbox_network !== 'none';
    const proxy = networked ? await this.startProxy() : null;
    const env = commandEnv(this.deps.env, {
      home: workspace, tmpdir: '/tmp', proxyUrl: proxy ? `http://127.0.0.1:${BRIDGE_PORT}` : undefined,
    });
    // Only PATH entries that exist inside: the rest would just tell commands where the host keeps things.
    const visible = env.PATH!.split(':').filter((dir) => isInside(workspace, dir) || SYSTEM_DIRS.some((d) => isInside(d, dir)));
    env.PATH = visible.length ? visible.join(':') : DEFAULT_PATH;
    const args = bwrapArgs({
      extraFlags: d.extraFlags, workspace, home: this.deps.home, env, command,
      bridge: proxy ? { node: fs.realpathSync(process.execPath), script: BRIDGE_SCRIPT, port: BRIDGE_PORT, hostSocket: proxy.socketPath, sandboxSocket: SANDBOX_SOCKET } : undefined,
    });
    // bwrap itself gets the same small environment: inside, /proc/1/environ is bwrap's own.
    return { file: d.bwrap, args, env, sandboxed: true };
  }

  /**
   * How to run a program (not a shell line) confined like the shell's commands: the same
   * namespaces, read-only system, hidden data dir and allowlisted environment, plus the
   * program's extra folders. Null when bubblewrap is not available (the caller decides).
   */
  async prepareProgram(spec: ProgramSpec): Promise<CommandSpec | null> {
    const d = await this.detect();
    if (!d.available || !d.bwrap) return null;
    const proxy = spec.network ? await this.startOpenProxy() : null;
    const base = commandEnv(this.deps.env, {
      home: spec.workspace, tmpdir: '/tmp', proxyUrl: proxy ? `http://127.0.0.1:${BRIDGE_PORT}` : undefined,
    });
    // Node 24+ reads the proxy variables for fetch only with this set; older versions ignore it.
    if (proxy) base.NODE_USE_ENV_PROXY = '1';
    const inside = (dir: string) => isInside(spec.workspace, dir) || SYSTEM_DIRS.some((s) => isInside(s, dir)) || spec.folders.some((f) => isInside(f, dir));
    const visible = base.PATH!.split(':').filter(inside);
    base.PATH = visible.length ? visible.join(':') : DEFAULT_PATH;
    const env = { ...base, ...spec.env };
    // The program itself must exist inside: a binary outside the system folders (nvm's node, a
    // venv) is bound read-only, by its real path and as named.
    const readOnly: string[] = [];
    const program = spec.command.includes('/') ? spec.command : findOnPath(spec.command, this.deps.env.PATH);
    if (program && path.isAbsolute(program)) {
      readOnly.push(program);
      try {
        readOnly.push(fs.realpathSync(program));
      } catch {
        // missing: the sandbox reports it when it tries to run it
      }
    }
    const node = fs.realpathSync(process.execPath);
    const args = bwrapArgs({
      extraFlags: d.extraFlags, workspace: spec.workspace, home: this.deps.home, env,
      exec: [program ?? spec.command, ...spec.args], folders: spec.folders, readOnly: [...new Set(readOnly)],
      bridge: proxy ? { node, script: BRIDGE_SCRIPT, port: BRIDGE_PORT, hostSocket: proxy.socketPath, sandboxSocket: SANDBOX_SOCKET } : undefined,
    });
    return { file: d.bwrap, args, env, sandboxed: true };
  }

  private startOpenProxy(): Promise<SandboxProxy> {
    if (this.closed) return Promise.reject(new Error('The tools are shutting down'));
    this.openProxy ??= SandboxProxy.start({
      policy: () => ({ mode: 'all', domains: [], serverPorts: this.serverPorts() }),
      onRefuse: this.deps.onRefuse,
    }).catch((err: unknown) => {
      this.openProxy = null;
      throw err;
    });
    return this.openProxy;
  }

  private startProxy(): Promise<SandboxProxy> {
    if (this.closed) return Promise.reject(new Error('The tools are shutting down'));
    this.proxy ??= SandboxProxy.start({
      policy: () => {
        const s = this.deps.settings();
        return { mode: s.sandbox_network, domains: s.sandbox_allowed_domains, serverPorts: this.serverPorts() };
      },
      onRefuse: this.deps.onRefuse,
    }).catch((err: unknown) => {
      this.proxy = null;
      throw err;
    });
    return this.proxy;
  }

  close(): void {
    this.closed = true;
    void this.proxy?.then((p) => p.close(), () => undefined);
    void this.openProxy?.then((p) => p.close(), () => undefined);
    this.proxy = null;
    this.openProxy = null;
  }
}
