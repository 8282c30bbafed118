import { spawn } from 'node:child_process';

export interface ShellResult {
  stdout: string;
  stderr: string;
  /** Bytes produced beyond what was kept. */
  droppedBytes: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface ShellOptions {
  cwd: string;
  timeoutMs: number;
  /** Aborted by stop, shutdown or the registry's timeout. */
  signal: AbortSignal;
  /** Bytes of stdout + stderr kept; the rest is counted and dropped (a 10 MB output never sits in memory). */
  maxBytes: number;
  /** The whole environment of the process (an allowlist: see sandbox/env.ts); nothing is inherited. */
  env: Record<string, string>;
}

export class ShellTimeoutError extends Error {}
export class ShellAbortedError extends Error {}

/** Kills the whole process group (the shell and everything it started). */
function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Runs `file args` (bwrap, or /bin/sh -c without a sandbox) in its own process group
 * (detached), so a timeout or a stop kills everything it started, not just the first process.
 * When it exits, leftover background processes of the group are killed too: the call is over,
 * and they would otherwise hold the output pipes open. (In the sandbox, bwrap's PID namespace
 * does more: when the command exits, every process in it dies, even one that left the group
 * with `setsid`; killing bwrap kills the namespace through `--die-with-parent`.)
 */
export function runCommand(file: string, args: string[], opts: ShellOptions): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(new ShellAbortedError('Stopped before the command started'));
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env });
    } catch (err) {
      return reject(err);
    }
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let kept = 0;
    let dropped = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      const room = opts.maxBytes - kept;
      if (room <= 0) {
        dropped += chunk.length;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      into.push(part);
      kept += part.length;
      dropped += chunk.length - part.length;
    };
    child.stdout!.on('data', collect(out));
    child.stderr!.on('data', collect(errOut));

    let ended: 'timeout' | 'aborted' | null = null;
    let graceTimer: NodeJS.Timeout | undefined;
    const terminate = (why: 'timeout' | 'aborted') => {
      if (ended) return;
      ended = why;
      killGroup(child.pid, 'SIGTERM');
      graceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 1000);
      graceTimer.unref();
    };
    const timer = setTimeout(() => terminate('timeout'), opts.timeoutMs);
    const onAbort = () => terminate('aborted');
    opts.signal.addEventListener('abort', onAbort, { once: true });

    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Background jobs the command left behind would keep the pipes (and this call) open.
      killGroup(child.pid, 'SIGKILL');
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      opts.signal.removeEventListener('abort', onAbort);
      if (ended === 'timeout') return reject(new ShellTimeoutError(`Command timed out after ${opts.timeoutMs / 1000} s and was stopped`));
      if (ended === 'aborted') return reject(new ShellAbortedError('Command stopped'));
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errOut).toString('utf8'),
        droppedBytes: dropped,
        exitCode: exit.code,
        signal: exit.signal,
      });
    });
  });
}
