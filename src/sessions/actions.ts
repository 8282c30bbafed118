import crypto from 'node:crypto';
import { NotFoundError } from '../lib/errors.js';
import { toSessionId } from './ids.js';
import type { SessionService } from './service.js';
import type { SessionRecord } from './types.js';
import type { SessionAliases } from './aliases.js';

/**
 * What a chat can do to its own sessions (spec §6.4, §7.1), shared by the slash commands and
 * the agent's session tools so both behave the same. A chat is its base key (`websocket:<uuid>`);
 * its sessions are the base session and its `/new` aliases (`<base key>:<8 hex>`).
 */
export interface ChatSessionContext {
  baseKey: string;
  sessions: SessionService;
  aliases: SessionAliases;
}

const SESSIONS_SHOWN = 20;
/** Sessions scanned for the list; other chats whose ids share the prefix are filtered out. */
const SESSIONS_SCANNED = 500;
export const TITLE_MAX_CHARS = 200;

/** The session key and id the chat currently writes to. */
export function currentSession(ctx: ChatSessionContext): { key: string; id: string } {
  const key = ctx.aliases.resolve(ctx.baseKey);
  return { key, id: toSessionId(key) };
}

/**
 * This chat's sessions, newest first: the base session and its `/new` aliases
 * (`<base id>_<8 hex>`). A plain prefix match would also take in chat `abcd` for chat `abc`.
 */
export function chatSessions(ctx: ChatSessionContext): SessionRecord[] {
  const baseId = toSessionId(ctx.baseKey);
  return ctx.sessions.listWithPrefix(baseId, SESSIONS_SCANNED)
    .filter((x) => x.id === baseId || (x.id.startsWith(`${baseId}_`) && /^[0-9a-f]{8}$/.test(x.id.slice(baseId.length + 1))))
    .slice(0, SESSIONS_SHOWN);
}

/** Points the chat at a fresh session key; nothing is stored until its first message. */
export function startNewSession(ctx: ChatSessionContext): string {
  const next = `${ctx.baseKey}:${crypto.randomBytes(4).toString('hex')}`;
  ctx.aliases.set(ctx.baseKey, next);
  return next;
}

/** The chat session a target names: a 1-based number of `chatSessions`, or part of a title. */
export function findChatSession(list: SessionRecord[], target: string): SessionRecord | undefined {
  const t = target.trim();
  const n = Number(t);
  if (Number.isInteger(n) && n >= 1) return list[n - 1];
  const lower = t.toLowerCase();
  return list.find((x) => x.title.toLowerCase().includes(lower));
}

/** Makes `session` (one of the chat's) the chat's current session. */
export function switchToSession(ctx: ChatSessionContext, session: SessionRecord): void {
  const baseId = toSessionId(ctx.baseKey);
  // Session ids are keys with ':' turned into '_'; the suffix after the base id is the alias.
  const targetKey = session.id === baseId ? ctx.baseKey : `${ctx.baseKey}:${session.id.slice(baseId.length + 1)}`;
  ctx.aliases.set(ctx.baseKey, targetKey);
}

export type RenameOutcome = 'ok' | 'empty' | 'too_long' | 'no_session';

/** Renames the current session (spec §3.1.2 rules, 200-character cap of §11.8). */
export async function renameCurrentSession(ctx: ChatSessionContext, rawTitle: string): Promise<RenameOutcome> {
  const title = rawTitle.trim();
  if (!title) return 'empty';
  if ([...title].length > TITLE_MAX_CHARS) return 'too_long';
  try {
    await ctx.sessions.rename(currentSession(ctx).id, title);
  } catch (err) {
    if (err instanceof NotFoundError) return 'no_session';
    throw err;
  }
  return 'ok';
}

/**
 * `/clear` and `/delete`: removes the current session's messages; `/delete` also drops the
 * alias, so the chat goes back to its base session. False when there was nothing to remove.
 */
export async function removeCurrentSession(ctx: ChatSessionContext, mode: 'clear' | 'delete'): Promise<boolean> {
  const { id } = currentSession(ctx);
  const existed = ctx.sessions.find(id) !== undefined;
  if (existed) await ctx.sessions.delete(id);
  if (mode === 'delete') ctx.aliases.clear(ctx.baseKey);
  return existed;
}
