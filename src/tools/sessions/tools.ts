import { z } from 'zod';
import type { ToolContext, ToolDefinition } from '../types.js';
import {
  chatSessions, currentSession, findChatSession, removeCurrentSession, renameCurrentSession, startNewSession, switchToSession,
  TITLE_MAX_CHARS, type ChatSessionContext,
} from '../../sessions/actions.js';

/**
 * PocketPaw's session tools (`new_session`, `list_sessions`, `switch_session`, `clear_session`,
 * `rename_session`, `delete_session`) with the slash commands' semantics (src/sessions/actions.ts).
 * They always act on the chat that called them (ToolContext.baseKey): PocketPaw's
 * `session_key` argument is accepted and ignored, so a model cannot reach another chat.
 *
 * A change of session applies from the next message; the reply of the current turn is still
 * stored in the session the turn started in.
 */
const chat = (ctx: ToolContext): ChatSessionContext => ({ baseKey: ctx.baseKey, sessions: ctx.sessions, aliases: ctx.aliases });

const sessionKeyNote = 'Ignored: the tool always acts on the current chat (kept for PocketPaw prompts that pass it).';
const noArgs = z.object({ session_key: z.string().optional().describe(sessionKeyNote) });
const switchArgs = z.object({
  session_key: z.string().optional().describe(sessionKeyNote),
  target: z.string().min(1).describe('Session number (from list_sessions) or text to search in session titles.'),
});
const renameArgs = z.object({
  session_key: z.string().optional().describe(sessionKeyNote),
  title: z.string().min(1).describe(`The new title for the session (at most ${TITLE_MAX_CHARS} characters).`),
});

function listText(ctx: ToolContext): string {
  const c = chat(ctx);
  const list = chatSessions(c);
  if (!list.length) return 'No sessions found. Start chatting to create one!';
  const active = currentSession(c).id;
  return list.map((s, i) => `${i + 1}. ${s.title || 'New Chat'} (${s.message_count} ${s.message_count === 1 ? 'msg' : 'msgs'})${s.id === active ? ' (active)' : ''}`).join('\n');
}

function def<P extends z.ZodType>(d: Omit<ToolDefinition<P>, 'group'>): ToolDefinition {
  return { ...d, group: 'sessions' } as unknown as ToolDefinition;
}

export function createSessionTools(): ToolDefinition[] {
  return [
    def({
      name: 'new_session',
      description: 'Start a fresh conversation session. The previous session is preserved and can be resumed later. Call this when the user wants to start over or begin a new topic.',
      trust: 'safe',
      parameters: noArgs,
      execute: async (_args, ctx) => {
        startNewSession(chat(ctx));
        return 'Started a new conversation session; the next message goes there. Previous sessions are preserved — use list_sessions to see them.';
      },
    }),
    def({
      name: 'list_sessions',
      description: 'List all conversation sessions for the current chat. Returns session titles, message counts, and which one is active.',
      trust: 'safe',
      parameters: noArgs,
      execute: async (_args, ctx) => listText(ctx),
    }),
    def({
      name: 'switch_session',
      description: 'Switch to a different conversation session by number (from list_sessions) or by searching session titles. Use this when the user wants to resume or go back to a previous conversation.',
      trust: 'safe',
      parameters: switchArgs,
      execute: async ({ target }, ctx) => {
        const c = chat(ctx);
        const list = chatSessions(c);
        if (!list.length) return 'No sessions found.';
        const pick = findChatSession(list, target);
        if (!pick) return `No sessions matching "${target}". Sessions:\n${listText(ctx)}`;
        switchToSession(c, pick);
        return `Switched to session: ${pick.title || 'New Chat'} (from the next message on).`;
      },
    }),
    def({
      name: 'clear_session',
      description: 'Clear all messages from the current conversation session.',
      trust: 'sensitive',
      parameters: noArgs,
      execute: async (_args, ctx) => ((await removeCurrentSession(chat(ctx), 'clear'))
        ? 'Cleared the current session.'
        : 'Session is already empty.'),
    }),
    def({
      name: 'rename_session',
      description: 'Rename the current conversation session to a new title.',
      trust: 'safe',
      parameters: renameArgs,
      execute: async ({ title }, ctx) => {
        switch (await renameCurrentSession(chat(ctx), title)) {
          case 'ok': return `Session renamed to "${title.trim()}".`;
          case 'empty': throw new Error('The title is empty.');
          case 'too_long': throw new Error(`Title must be at most ${TITLE_MAX_CHARS} characters.`);
          case 'no_session': return 'Could not rename — the session has no messages yet.';
        }
      },
    }),
    def({
      name: 'delete_session',
      description: 'Permanently delete the current conversation session and all its messages. The next message will start a fresh conversation.',
      trust: 'sensitive',
      parameters: noArgs,
      execute: async (_args, ctx) => ((await removeCurrentSession(chat(ctx), 'delete'))
        ? 'Session deleted. Your next message will start a fresh conversation.'
        : 'No session to delete.'),
    }),
  ];
}
