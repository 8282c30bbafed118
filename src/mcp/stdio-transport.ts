import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';

/** How long a server has to leave after SIGTERM before its whole process group gets SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Characters of the server's stderr kept, for the error shown when it dies. */
const STDERR_TAIL = 2000;

export interface StdioLaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * The MCP stdio transport on a child we own: the SDK's own transport cannot put the server in
 * its own process group, and a server (npx → node → its children) must never outlive us. The
 * child leads a new process group; closing signals the whole group, SIGTERM then SIGKILL.
 * Inside bubblewrap `--die-with-parent` and the PID namespace also take everything down.
 */
export class GroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | null = null;
  private readonly buffer = new ReadBuffer();
  private stderr = '';
  private exited = false;

  constructor(private readonly launch: StdioLaunch) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The end of what the server wrote on stderr (why it failed, usually). */
  stderrTail(): string {
    return this.stderr.trim();
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.launch.file, this.launch.args, {
        cwd: this.launch.cwd, env: this.launch.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true, windowsHide: true,
      });
      this.child = child;
      child.on('error', (err) => {
        this.exited = true;
        reject(err);
        this.onerror?.(err);
        this.onclose?.();
      });
      child.on('spawn', () => resolve());
      child.on('exit', () => {
        this.exited = true;
        // The group may hold grandchildren that kept running: they go with their leader.
        this.killGroup('SIGKILL');
      });
      child.on('close', () => this.onclose?.());
      child.stdout!.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let msg: JSONRPCMessage | null;
          try {
            msg = this.buffer.readMessage();
          } catch (err) {
            this.onerror?.(err as Error);
            continue;
          }
          if (!msg) break;
          this.onmessage?.(msg);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.stdin!.on('error', (err) => this.onerror?.(err));
      child.stdout!.on('error', (err) => this.onerror?.(err));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.exited || stdin.destroyed) {
        reject(new Error('The server process is not running'));
        return;
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', () => resolve());
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin?.end();
    if (!this.exited) {
      this.killGroup('SIGTERM');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.killGroup('SIGKILL');
          resolve();
        }, KILL_GRACE_MS);
        timer.unref();
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (this.exited) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    this.killGroup('SIGKILL');
    this.buffer.clear();
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is already gone
    }
  }
}
