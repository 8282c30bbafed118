import crypto from 'node:crypto';
import type { TurnSink } from '../chat/turn-sink.js';

/**
 * `pocketpaw chat "question"`: one turn from the terminal, streamed to stdout, stored like any
 * other session (channel `cli`). `--continue` picks up the most recent CLI session.
 * Exit code 1 when the turn failed or no model is configured (the setup steps go to stderr).
 */
export async function runChat(question: string, opts: { continue?: boolean }): Promise<number> {
  // Imported here: every other command (`sessions list`, `token`) would load the whole app (issue 14).
  const { createAppContext } = await import('../app/context.js');
  const ctx = createAppContext();
  try {
    let chatId: string = crypto.randomUUID();
    if (opts.continue) {
      const last = ctx.sessions.listWithPrefix('cli_', 1)[0];
      if (last) chatId = last.id.slice('cli_'.length);
      else process.stderr.write('No earlier CLI session: starting a new one.\n');
    }
    let failed = false;
    let noModel = false;
    let wroteText = false;
    const dim = (s: string) => (process.stderr.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
    const sink: TurnSink = {
      started: () => undefined,
      text: (delta) => {
        wroteText = true;
        process.stdout.write(delta);
      },
      message: (content, notice) => {
        // The setup steps instead of an answer: guidance for the user, not output to pipe on.
        if (notice === 'no_model') {
          noModel = true;
          process.stderr.write(`${content}\n`);
        } else process.stdout.write(`${content}\n`);
      },
      event: (e) => {
        if (e.type === 'tool_start') process.stderr.write(dim(`\n[tool ${e.name} ${JSON.stringify(e.params ?? {})}]\n`));
        else if (e.type === 'tool_result') process.stderr.write(dim(`[${e.name}: ${e.status}]\n`));
        else if (e.type === 'error') {
          failed = true;
          process.stderr.write(`\nError: ${e.message}\n`);
        }
      },
      end: () => {
        if (wroteText) process.stdout.write('\n');
      },
    };
    await ctx.chat.runTurn({ baseKey: `cli:${chatId}`, text: question, metadata: { source: 'cli' } }, sink);
    return failed || noModel ? 1 : 0;
  } finally {
    await ctx.close();
  }
}
