import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { SessionService } from '../sessions/service.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

/** The store opens (and its modules load) only when a `sessions` command runs: the CLI's other commands do not need them. */
async function withSessions<T>(fn: (s: SessionService) => T | Promise<T>): Promise<T> {
  const { openSessionsForCli } = await import('./open-store.js');
  const opened = openSessionsForCli();
  try {
    // Awaited before the store closes: a service call may finish asynchronously.
    return await fn(opened.sessions);
  } finally {
    opened.close();
  }
}

const schemas = () => import('../sessions/schemas.js');

function print(json: boolean | undefined, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

/** `pocketpaw sessions …`: the session API from the terminal, on the same store. */
export function sessionsCommand(): Command {
  const cmd = new Command('sessions').description('List, search, rename, delete and export chat sessions');

  cmd.command('list').description('Sessions, newest activity first')
    .option('-n, --limit <n>', 'how many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action((o: { limit: number; json?: boolean }) => withSessions((s) => {
      const { sessions, total } = s.list(o.limit);
      print(o.json, { sessions, total }, () =>
        [...sessions.map((x) => `${x.last_activity.slice(0, 16).replace('T', ' ')}  ${String(x.message_count).padStart(4)} ${x.message_count === 1 ? 'msg ' : 'msgs'}  ${x.id}  ${x.title.replace(/\s+/g, ' ')}`),
          total === 1 ? `${sessions.length} of 1 session` : `${sessions.length} of ${total} sessions`].join('\n'));
    }));

  cmd.command('search <query>').description('Sessions whose messages contain the text (case-insensitive)')
    .option('-n, --limit <n>', 'how many', positiveInt, 20)
    .option('--json', 'print JSON')
    .action((query: string, o: { limit: number; json?: boolean }) => withSessions((s) => {
      const hits = s.search(query, o.limit);
      print(o.json, { sessions: hits }, () =>
        hits.length ? hits.map((h) => `${h.id}  ${h.title}\n    ${h.match_role}: ${h.match.replace(/\s+/g, ' ').slice(0, 100)}`).join('\n') : 'No matches.');
    }));

  cmd.command('rename <id> <title>').description('Set a session\'s title')
    .action(async (id: string, title: string) => {
      const trimmed = (await schemas()).legacyTitle(title);
      await withSessions((s) => s.rename(id, trimmed));
      process.stdout.write(`Renamed ${id} to "${trimmed}"\n`);
    });

  cmd.command('delete <id>').description('Delete a session and its messages')
    .action((id: string) => withSessions(async (s) => {
      await s.delete(id);
      process.stdout.write(`Deleted ${id}\n`);
    }));

  cmd.command('export <id>').description('Export a session as Markdown or JSON')
    .option('-f, --format <format>', 'json or md', 'md')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (id: string, o: { format: string; output?: string }) => {
      const format = (await schemas()).exportFormat(o.format);
      const file = await withSessions((s) => s.export(id, format));
      if (o.output) {
        fs.writeFileSync(o.output, file.body);
        process.stderr.write(`Wrote ${o.output}\n`);
      } else process.stdout.write(`${file.body}\n`);
    });

  return cmd;
}
