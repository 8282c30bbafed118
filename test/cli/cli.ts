import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root and the real CLI entry (`node bin/pocketpaw.js`, TypeScript via tsx). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'pocketpaw.js');

/** Startup takes about a second (tsx); other agents share the two cores, so be generous. */
export const CLI_TIMEOUT = 100_000;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Never let a developer's own POCKETPAW_* settings leak into the child.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('POCKETPAW_')));
  return { ...env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false', ...extra };
}

export function spawnCli(args: string[], home: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(home, env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI to completion. */
export function runCli(args: string[], home: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, home, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pocketpaw ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, CLI_TIMEOUT);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A port nobody listens on right now (listen on 0, note the port, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running, then wait for the exit. */
  kill(): Promise<void>;
}

/** Starts `pocketpaw serve` (or another server command) and waits for its "on http://…" line. */
export function startServe(home: string, args: string[] = ['serve', '--port', '0'], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawnCli(args, home, env);
  let out = '';
  let err = '';
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start\nstdout: ${out}\nstderr: ${err}`));
    }, CLI_TIMEOUT);
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = / on (http:\/\/\S+)\n/.exec(out);
      if (m && !child.killed) {
        clearTimeout(timer);
        const url = m[1]!;
        resolve({
          child, url, port: Number(new URL(url).port), exited,
          stdout: () => out,
          stderr: () => err,
          kill: async () => {
            if (!done) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it was ready\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/** Output a user should see for an expected error: one clear line, no stack trace. */
export function expectNoStack(stderr: string): void {
  // "looks like a bug": the CLI's line for an error nobody foresaw (its stack only with POCKETPAW_DEBUG).
  if (/^\s+at\s/m.test(stderr) || /Unexpected error|looks like a bug/.test(stderr)) {
    throw new Error(`expected a message without a stack trace, got:\n${stderr}`);
  }
}
