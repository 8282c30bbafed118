import type { SettingsStore } from '../config/settings-store.js';
import type { Settings } from '../config/settings.js';
import type { SessionService } from '../sessions/service.js';
import { plural } from '../lib/plural.js';
import type { SessionAliases } from '../sessions/aliases.js';
import { isRunnableBackend, modelSettingFor as backendModelSetting, type NoModel, type ProviderKind } from '../models/resolver.js';
import {
  chatSessions, currentSession, findChatSession, removeCurrentSession, renameCurrentSession, startNewSession, switchToSession,
} from '../sessions/actions.js';

const COMMANDS = ['new', 'sessions', 'resume', 'help', 'clear', 'rename', 'status', 'delete', 'backend', 'backends', 'model', 'tools'] as const;
type CommandName = (typeof COMMANDS)[number];

export const BACKENDS = ['claude_agent_sdk', 'openai_agents', 'google_adk', 'codex_cli', 'opencode', 'copilot_sdk'];
const TOOL_PROFILES = ['minimal', 'coding', 'full'] as const;

export interface ParsedCommand {
  name: CommandName;
  args: string;
}

/** `/name args` or `!name args`, optionally `/name@BotName` (spec §6.4); anything else is chat. */
export function parseCommand(text: string): ParsedCommand | null {
  const m = /^[/!]([a-z]+)(?:@\S+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  if (!(COMMANDS as readonly string[]).includes(name)) return null;
  return { name: name as CommandName, args: (m[2] ?? '').trim() };
}

export interface CommandContext {
  baseKey: string;
  sessions: SessionService;
  aliases: SessionAliases;
  settings: SettingsStore;
  /**
   * Whether the sender is the owner. Anyone else (a channel or webhook user) may look, but not
   * change the owner's settings: `/tools full` from a chat app would hand strangers the shell.
   */
  owner: boolean;
  /** The provider and model the next turn would use, picked exactly as a turn picks them. */
  resolveModel(): Promise<{ provider: ProviderKind; modelId: string } | NoModel>;
}

const HELP = [
  'Type one of these in the message box:',
  '',
  '- `/new` — start a new conversation (the old ones are kept)',
  '- `/sessions` — list your conversations in this chat',
  '- `/resume 2` or `/resume tomatoes` — go back to a conversation by its number or a word from its title',
  '- `/rename My new title` — give this conversation a new title',
  '- `/clear` — empty this conversation',
  '- `/delete` — delete this conversation',
  '- `/status` — show which conversation you are in',
  '- `/model` — show the AI model in use; `/model name` switches to another one',
  '- `/backends` — list the ways PocketPaw can run the model; `/backend name` picks one',
  '- `/tools` — show how much the assistant may do on this computer; `/tools minimal`, `/tools coding` or `/tools full` changes it',
  '- `/help` — show this list',
].join('\n');

const RENAME_REPLIES: Record<Awaited<ReturnType<typeof renameCurrentSession>>, (title: string) => string> = {
  empty: () => 'Usage: /rename <new title>',
  too_long: () => 'Title must be at most 200 characters.',
  no_session: () => 'This session has no messages yet; send one first, then rename it.',
  ok: (title) => `Renamed to "${title}".`,
};

/** Commands that change a setting when given an argument. */
const SETTING_COMMANDS: ReadonlySet<CommandName> = new Set(['model', 'backend', 'tools']);
const OWNER_ONLY = 'Only the owner can change that, from the PocketPaw dashboard.';

/** Runs a command; the reply is shown to the user and, like the command, never stored. */
export async function runCommand(cmd: ParsedCommand, ctx: CommandContext): Promise<string> {
  const { key: currentKey, id: currentId } = currentSession(ctx);
  const s = ctx.settings.get();
  if (!ctx.owner && cmd.args && SETTING_COMMANDS.has(cmd.name)) return OWNER_ONLY;

  switch (cmd.name) {
    case 'help':
      return HELP;
    case 'new': {
      startNewSession(ctx);
      return '🆕 Started a new session. Your previous sessions are kept (/sessions lists them).';
    }
    case 'sessions': {
      const list = chatSessions(ctx);
      if (!list.length) return 'No sessions yet in this chat.';
      return ['Sessions (newest first):', ...list.map((x, i) =>
        `${i + 1}. ${x.title} — ${plural(x.message_count, 'message')}${x.id === currentId ? ' (active)' : ''}`)].join('\n');
    }
    case 'resume': {
      const list = chatSessions(ctx);
      if (!cmd.args) return 'Usage: /resume <number or part of a title> (see /sessions)';
      const pick = findChatSession(list, cmd.args);
      if (!pick) return `No session matches "${cmd.args}". Use /sessions to see them.`;
      switchToSession(ctx, pick);
      return `Switched to "${pick.title}".`;
    }
    case 'rename':
      return RENAME_REPLIES[await renameCurrentSession(ctx, cmd.args)](cmd.args.trim());
    case 'clear':
    case 'delete': {
      const existed = await removeCurrentSession(ctx, cmd.name === 'delete' ? 'delete' : 'clear');
      if (!existed) return 'This session is already empty.';
      return cmd.name === 'clear' ? '🧹 Session cleared.' : '🗑️ Session deleted.';
    }
    case 'status': {
      const session = ctx.sessions.find(currentId);
      const resolved = await ctx.resolveModel();
      return [
        `Session: ${session?.title ?? 'New Chat (no messages yet)'}`,
        `Messages: ${session?.message_count ?? 0}`,
        `Channel: ${currentKey.split(':')[0]}`,
        `Session key: ${currentKey}`,
        // What answers: the provider and model a turn resolves now, not the setting names.
        `Provider: ${resolved.provider ?? 'none configured (send a message to see how to set one up)'}`,
        `Model: ${resolved.provider ? resolved.modelId : 'none'}`,
        `Backend: ${s.agent_backend}${isRunnableBackend(s.agent_backend) ? '' : ' (cannot run here; the provider above answers)'}`,
      ].join('\n');
    }
    case 'model': {
      const resolved = await ctx.resolveModel();
      if (!cmd.args) return resolved.provider ? `Model: ${resolved.modelId} (${resolved.provider})` : 'Model: none configured';
      const field = modelSettingFor(s, resolved.provider);
      ctx.settings.update({ [field]: cmd.args });
      return `Model set to ${cmd.args} (${field}).`;
    }
    case 'backend': {
      if (!cmd.args) return `Backend: ${s.agent_backend}`;
      if (!BACKENDS.includes(cmd.args)) return `Unknown backend "${cmd.args}". Available: ${BACKENDS.join(', ')}`;
      ctx.settings.update({ agent_backend: cmd.args });
      return `Backend set to ${cmd.args}.`;
    }
    case 'backends':
      return `Backends: ${BACKENDS.map((b) => (b === s.agent_backend ? `${b} (active)` : b)).join(', ')}`;
    case 'tools': {
      if (!cmd.args) return `Tool profile: ${s.tool_profile}`;
      if (!(TOOL_PROFILES as readonly string[]).includes(cmd.args)) return `Unknown profile "${cmd.args}". Choose minimal, coding or full.`;
      ctx.settings.update({ tool_profile: cmd.args });
      return `Tool profile set to ${cmd.args}.`;
    }
  }
}

/**
 * The setting that names the model of the next turn: the one the resolver reads (the backend's
 * model setting when `auto` goes through the backend), else that of the provider that answers.
 */
function modelSettingFor(s: Settings, answering: ProviderKind | null): string {
  const fromResolver = backendModelSetting(s);
  if (fromResolver) return fromResolver;
  switch (answering) {
    case 'anthropic': return 'anthropic_model';
    case 'openai': return 'openai_model';
    case 'ollama': return 'ollama_model';
    case 'openai_compatible': return 'openai_compatible_model';
    default:
      if (s.anthropic_api_key) return 'anthropic_model';
      if (s.openai_api_key) return 'openai_model';
      if (s.openai_compatible_base_url) return 'openai_compatible_model';
      return 'ollama_model';
  }
}
