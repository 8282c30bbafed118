import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { StoredServer } from '../mcp/config.js';
import { UsageError } from './errors.js';

/** The MCP modules load when an `mcp` command runs, not with every command (issue 14). */
const mcpConfig = () => import('../mcp/config.js');

/**
 * `pocketpaw mcp …`: edits `mcp_servers.json` in the data dir. A running server reads the file
 * again on its next turn or status, so changes apply without a restart.
 */
export function mcpCommand(): Command {
  const cmd = new Command('mcp').description('List, add, remove, enable, disable and test MCP servers');
  const home = () => loadConfig().home;

  cmd.command('list').description('Configured MCP servers').option('--json', 'print JSON').action(async (o: { json?: boolean }) => {
    const { readMcpConfig } = await mcpConfig();
    const { servers, problems } = readMcpConfig(home());
    if (o.json) {
      // Env values are secrets: names only.
      process.stdout.write(`${JSON.stringify(servers.map((s) => ({ ...s, env: Object.keys(s.env) })), null, 2)}\n`);
      return;
    }
    const lines = servers.map((s) => `${s.enabled ? 'on ' : 'off'}  ${s.name}  ${s.transport}  ${s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : s.url}`);
    process.stdout.write(`${lines.length ? lines.join('\n') : 'No MCP servers. Add one with `pocketpaw mcp add <name> --command … | --url …`.'}\n`);
    for (const p of problems) process.stderr.write(`note: ${p}\n`);
  });

  cmd.command('add <name>').description('Add (or replace) a server: a program over stdio (--command) or a remote one (--url)')
    .option('--command <program>', 'the program to run (stdio)')
    .option('--args <list>', 'its arguments, comma-separated', (v: string) => v.split(','), [] as string[])
    .option('--url <url>', 'a remote server\'s URL')
    .option('--transport <t>', 'stdio, http (legacy SSE) or streamable-http (default: stdio with --command, streamable-http with --url)')
    .option('--env <KEY=VALUE>', 'an environment variable for the server (repeat)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--timeout <seconds>', 'how long a call may take', Number)
    .option('--network', 'stdio: let the server reach the network (through the sandbox proxy)')
    .option('--folder <path>', 'stdio: a folder the server may read and write (repeat)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--oauth', 'the remote server needs browser sign-in')
    .option('--disabled', 'save it without starting it')
    .action(async (name: string, o: { command?: string; args: string[]; url?: string; transport?: string; env: string[]; timeout?: number; network?: boolean; folder: string[]; oauth?: boolean; disabled?: boolean }) => {
      const { parseServer, updateMcpConfig } = await mcpConfig();
      if (!o.command === !o.url) throw new UsageError('Give either --command (a program) or --url (a remote server)');
      const env: Record<string, string> = {};
      for (const pair of o.env) {
        const eq = pair.indexOf('=');
        if (eq < 1) throw new UsageError(`--env takes KEY=VALUE, not "${pair}"`);
        env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const sandbox = o.network || o.folder.length ? { ...(o.network ? { network: true } : {}), ...(o.folder.length ? { folders: o.folder } : {}) } : undefined;
      let server: StoredServer;
      try {
        server = parseServer({
          name, transport: o.transport ?? (o.command ? 'stdio' : 'streamable-http'), command: o.command ?? '', args: o.command ? o.args : [],
          url: o.url ?? '', env, enabled: !o.disabled, ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
          ...(o.oauth ? { oauth: true } : {}), ...(sandbox ? { sandbox } : {}),
        });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const replaced = updateMcpConfig(home(), (list) => {
        const i = list.findIndex((s) => s.name === server.name);
        if (i >= 0) list[i] = server;
        else list.push(server);
        return i >= 0;
      });
      process.stdout.write(`${replaced ? 'Replaced' : 'Added'} MCP server ${server.name}${server.enabled ? '' : ' (disabled)'}\n`);
    });

  cmd.command('remove <name>').description('Remove a server').action(async (name: string) => {
    const { updateMcpConfig } = await mcpConfig();
    const found = updateMcpConfig(home(), (list) => {
      const i = list.findIndex((s) => s.name === name);
      if (i >= 0) list.splice(i, 1);
      return i >= 0;
    });
    if (!found) throw new UsageError(`Server '${name}' not found`);
    process.stdout.write(`Removed MCP server ${name}\n`);
  });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    cmd.command(`${verb} <name>`).description(enabled ? 'Start a server (from the next turn)' : 'Stop a server, keeping its config').action(async (name: string) => {
      const { updateMcpConfig } = await mcpConfig();
      const found = updateMcpConfig(home(), (list) => {
        const s = list.find((x) => x.name === name);
        if (s) s.enabled = enabled;
        return !!s;
      });
      if (!found) throw new UsageError(`Server '${name}' not found`);
      process.stdout.write(`${enabled ? 'Enabled' : 'Disabled'} MCP server ${name}\n`);
    });
  }

  cmd.command('test <name>').description('Connect to a configured server, list its tools, disconnect').action(async (name: string) => {
    const [{ readMcpConfig }, { McpManager }, { usableJailRoot }, { Sandbox }] = await Promise.all([
      mcpConfig(), import('../mcp/manager.js'), import('../tools/fs/jail.js'), import('../tools/sandbox/sandbox.js'),
    ]);
    const config = loadConfig();
    const server = readMcpConfig(config.home).servers.find((s) => s.name === name);
    if (!server) throw new UsageError(`Server '${name}' not found`);
    const sandbox = new Sandbox({ home: config.home, settings: () => config.settings, env: process.env });
    const manager = new McpManager({ home: config.home, workspace: () => usableJailRoot(config.settings, config.home), sandbox, env: process.env });
    try {
      const outcome = await manager.test(server);
      if (!outcome.connected) throw new UsageError(`Could not connect to ${name}: ${outcome.error}`);
      process.stdout.write(`Connected to ${name}: ${outcome.tools.length} tools\n${outcome.tools.map((t) => `  ${t.name}  ${t.description.split('\n')[0]}`).join('\n')}\n`);
    } finally {
      sandbox.close();
    }
  });

  return cmd;
}
