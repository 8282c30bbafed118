import fs from 'node:fs';
import { z } from 'zod';
import { usableJailRoot } from '../fs/jail.js';
import { MAX_TOOL_OUTPUT_CHARS } from '../registry.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { ToolRefusedError, type ToolDefinition } from '../types.js';
import { checkRails } from './rails.js';
import { runCommand, ShellTimeoutError } from './run.js';

const parameters = z.object({
  command: z.string().describe('The shell command to execute (runs with /bin/sh in the workspace)'),
});

/** Output bytes kept from a command: what the model may see, less room for the notes below. */
const KEEP_BYTES = MAX_TOOL_OUTPUT_CHARS - 1000;

/** The refusal text the model reads when a rail blocks a command. */
export function railRefusal(reason: string): string {
  return `Dangerous command blocked: this command ${reason}. It was not run.`;
}

/**
 * `shell {command}` (PocketPaw's ShellTool): /bin/sh in the workspace (the jail root), inside
 * the bubblewrap sandbox when there is one (sandbox/), with `shell_timeout_seconds`, its own
 * process group, and an allowlisted environment. Without a sandbox the gate holds every call
 * for the owner's approval. Policy, rails, Guardian and plan mode run in the gate before this is
 * called; the rails are checked here again so the tool is never unguarded, whatever gate it is
 * used with.
 */
export function createShellTool(sandbox: Pick<Sandbox, 'prepare'>): ToolDefinition<typeof parameters> {
  return {
    name: 'shell',
    description: 'Execute a shell command in the workspace and return its output (stdout, then stderr and the exit code when non-zero).',
    group: 'shell',
    trust: 'dangerous',
    parameters,
    async execute({ command }, ctx) {
      if (!command.trim()) throw new Error('The command is empty');
      if (command.includes('\0')) throw new ToolRefusedError('The command contains a NUL byte');
      const hit = checkRails(command);
      if (hit) throw new ToolRefusedError(railRefusal(hit.reason));
      const root = usableJailRoot(ctx.settings, ctx.home);
      await fs.promises.mkdir(root, { recursive: true, mode: 0o700 });
      // The real path: bwrap binds it there, so `pwd` and paths the file tools print agree.
      const cwd = await fs.promises.realpath(root);
      const spec = await sandbox.prepare(command, cwd, ctx.settings);
      const timeoutMs = ctx.settings.shell_timeout_seconds * 1000;
      let r;
      try {
        r = await runCommand(spec.file, spec.args, { cwd, env: spec.env, timeoutMs, signal: ctx.signal, maxBytes: KEEP_BYTES });
      } catch (err) {
        if (err instanceof ShellTimeoutError) throw new Error(`Command timed out after ${ctx.settings.shell_timeout_seconds} s and was stopped`);
        throw err;
      }
      const parts: string[] = [];
      if (r.stdout.trim()) parts.push(r.stdout.trimEnd());
      if (r.stderr.trim()) parts.push(`STDERR:\n${r.stderr.trimEnd()}`);
      let output = parts.join('\n');
      if (r.droppedBytes) output += `\n\n[Output truncated: ${r.droppedBytes} more bytes not shown]`;
      if (r.exitCode !== 0) output += `\n\nExit code: ${r.exitCode ?? `killed by ${r.signal}`}`;
      return output.trim() || '(no output)';
    },
  };
}
