// Only what every command needs is imported here; each command loads the rest when it runs
// (`sessions list` must not compile the server, the import or the security audit: issue 14).
import { Command, InvalidArgumentError } from 'commander';
import { PortInUseError, startServer } from '../server/start.js';
import { MasterToken } from '../auth/master-token.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { DomainError } from '../lib/errors.js';
import { NotAPocketPawDirError } from '../import/pocketpaw-dir.js';
import { redact } from '../security/redact.js';
import type { ServerMode } from '../server/build.js';
import type { ChannelName } from '../channels/types.js';
import { VERSION } from '../version/routes.js';
import { runChat } from './chat-command.js';
import { describeFsError, UsageError } from './errors.js';
import { securityAuditCommand } from './security-audit-command.js';
import { sessionsCommand } from './sessions-command.js';
import { mcpCommand } from './mcp-command.js';
import { closestCommand } from './suggest.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0–65535)');
  return n;
}

/** Listen failures the user fixes with --host or --port (file-system errors are not among them). */
const LISTEN_PROBLEMS: Record<string, string> = {
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'the host name could not be resolved',
  EADDRNOTAVAIL: 'that address does not belong to this machine',
  EACCES: 'permission denied (ports below 1024 need privileges)',
};

async function serve(mode: ServerMode, opts: { host?: string; port?: number }, channels?: ChannelName[]): Promise<void> {
  // `npx pocketpaw` without `npm start`: build the dashboard first if it is missing or stale.
  if (mode === 'dashboard') {
    const script = new URL('../../scripts/build-web.mjs', import.meta.url).href;
    const { buildWeb } = (await import(script)) as { buildWeb: (o?: { quiet?: boolean }) => Promise<boolean> };
    await buildWeb();
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      mode, host: opts.host, port: opts.port, logLevel: process.env.POCKETPAW_LOG_LEVEL ?? 'warn', autostartChannels: !channels,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const listening = e.path === undefined && (e.syscall === undefined || ['listen', 'bind', 'getaddrinfo'].includes(e.syscall));
    const problem = listening ? LISTEN_PROBLEMS[e.code ?? ''] : undefined;
    if (problem) throw new UsageError(`Cannot listen: ${problem} (${(err as Error).message}). Pick another address with --host or port with --port.`);
    throw err;
  }
  // Before the first line is printed: whoever waits for it may signal the process at once, and
  // the signal handlers below must be in place by then (nothing is awaited after it).
  const { isLoopbackHost } = await import('../security-audit/checks.js');
  const what = mode === 'dashboard' ? 'Dashboard' : 'API';
  process.stdout.write(`PocketPaw ${VERSION} — ${what} on ${server.url}\n`);
  process.stdout.write(`Data: ${server.ctx.home}\n`);
  process.stdout.write('From this machine no login is needed; from another device use the token (`npx pocketpaw token`).\n');
  const host = opts.host ?? server.ctx.settings().web_host;
  if (!isLoopbackHost(host)) {
    process.stdout.write(`Warning: Listening on ${host}, beyond this machine: other devices can reach PocketPaw and must send the access token (npx pocketpaw token). Only requests from this machine's own loopback address skip it.\n`);
  }
  if (channels) await startChannels(server, channels);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down…\n`);
    server.close().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`Shutdown failed: ${redact((err as Error).message)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** `--telegram` … : those channels, or the reason each could not start; none running is an error. */
async function startChannels(server: Awaited<ReturnType<typeof startServer>>, channels: ChannelName[]): Promise<void> {
  const results = await server.ctx.channels.autostart(channels);
  let running = 0;
  for (const name of channels) {
    const r = results[name];
    if (r && 'running' in r && r.running) {
      running++;
      process.stdout.write(`${name}: running\n`);
    } else {
      process.stderr.write(`${name}: ${r && 'error' in r ? r.error : 'could not start'}\n`);
    }
  }
  if (running === 0) {
    await server.close();
    throw new UsageError('No channel could start. Fix the settings named above (`pocketpaw` opens the dashboard: Channels), then try again.');
  }
}

const HEADLESS_CHANNELS: ChannelName[] = ['telegram', 'discord', 'slack', 'whatsapp'];

const program = new Command('pocketpaw')
  .description('PocketPaw — your self-hosted AI agent')
  .version(VERSION)
  .enablePositionalOptions()
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--port <port>', 'port (default 8888)', port)
  .option('--telegram', 'run headless (API, no dashboard) with the Telegram channel')
  .option('--discord', 'run headless with the Discord channel')
  .option('--slack', 'run headless with the Slack channel')
  .option('--whatsapp', 'run headless with the WhatsApp channel (its webhook is served by the API)')
  // Extra words reach the action so a mistyped command gets a suggestion (below), not
  // commander's "too many arguments".
  .allowExcessArguments()
  .action((opts: { host?: string; port?: number } & Partial<Record<ChannelName, boolean>>, cmd: Command) => {
    const [word, topic] = cmd.args;
    if (word === 'help') return (program.commands.find((c) => c.name() === topic) ?? program).help();
    if (word !== undefined) throw unknownCommand(word);
    // PocketPaw's channel flags: the channels alone, without the dashboard.
    const channels = HEADLESS_CHANNELS.filter((name) => opts[name]);
    return channels.length ? serve('api', opts, channels) : serve('dashboard', opts);
  });

program.command('serve').description('API only (no dashboard), on port 8000 by default')
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--port <port>', 'port (default 8000)', port)
  .action((opts: { host?: string; port?: number }) => serve('api', opts));

program.command('import <dir>').description('Import history from a PocketPaw (Python) data dir, e.g. ~/.pocketpaw')
  .option('--json', 'print the summary as JSON')
  .action(async (dir: string, opts: { json?: boolean }) => {
    const { runImport } = await import('./import-command.js');
    process.exitCode = runImport(dir, opts);
  });

program.command('token').description('Print the access token for logging in from another device')
  .option('--regenerate', 'replace the token (signs every device out)')
  .action((opts: { regenerate?: boolean }) => {
    const { home } = loadConfig();
    const token = new MasterToken(MasterToken.pathIn(home));
    process.stdout.write(`${opts.regenerate ? token.regenerate() : token.get()}\n`);
    if (opts.regenerate) process.stderr.write('Every device signed in with the old token must sign in again.\n');
  });

program.command('chat <message...>').description('Ask the agent from the terminal; the answer streams here')
  .option('-c, --continue', 'continue the most recent terminal session')
  .action(async (words: string[], opts: { continue?: boolean }) => {
    process.exitCode = await runChat(words.join(' '), opts);
  });

program.addCommand(sessionsCommand());
program.addCommand(mcpCommand());
program.addCommand(securityAuditCommand());

function unknownCommand(word: string): UsageError {
  const names = program.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden).map((c) => c.name());
  const guess = closestCommand(word, names);
  return new UsageError(guess
    ? `Unknown command '${word}'. Did you mean '${guess}'?`
    : `Unknown command '${word}'. Commands: ${names.join(', ')} (see \`pocketpaw --help\`).`);
}

/**
 * Every command's errors end here: one line on stderr and exit 1. A stack trace only with
 * POCKETPAW_DEBUG=1; without it, an unforeseen error still says what went wrong.
 */
function fail(err: unknown): never {
  const e = err as Error | undefined;
  const known = err instanceof ConfigError || err instanceof PortInUseError || err instanceof NotAPocketPawDirError || err instanceof DomainError || err instanceof UsageError;
  const fsProblem = describeFsError(err) ?? (err instanceof ConfigError ? describeFsError(err.cause) : null);
  if (fsProblem) process.stderr.write(`Error: ${redact(fsProblem)}\n`);
  else if (known) process.stderr.write(`Error: ${redact(e!.message)}\n`);
  else {
    process.stderr.write(`Error: ${redact(e?.message || String(err))}\n`);
    if (process.env.POCKETPAW_DEBUG) process.stderr.write(`${redact(e?.stack ?? '')}\n`);
    else process.stderr.write('This looks like a bug in PocketPaw. Run again with POCKETPAW_DEBUG=1 for the details, and please report them.\n');
  }
  process.exit(1);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
