import type { AppContext } from '../../app/context.js';
import { hasScope, type Scope } from '../../auth/scopes.js';
import type { TurnSink } from '../../chat/turn-sink.js';
import type { ServerFrame } from '../../protocol/index.js';

/** The parts of the app the socket's actions use: chat, sessions, settings and the dashboard panels. */
export type WsDeps = Pick<
  AppContext,
  'home' | 'chat' | 'sessions' | 'settings' | 'settingsStore' | 'audit' | 'reminders' | 'intentions' | 'tools' | 'health' | 'errors' | 'media'
>;

/** What an action handler may use: this socket, every socket, and the app parts above. */
export interface WsActionContext {
  ctx: WsDeps;
  chatId: string;
  send(frame: ServerFrame): void;
  broadcast(frame: ServerFrame): void;
  /** Points this socket at another dashboard chat (as `switch_session` does). */
  switchChat(chatId: string): void;
  /** Renders a turn of `chatId` as spec §4.2 frames to whichever socket holds that chat. */
  turnSink(chatId: string): TurnSink;
}

export type WsActionHandler = (frame: Record<string, unknown>, conn: WsActionContext) => void | Promise<void>;

/**
 * A client action and the scope a scoped credential needs to use it (any one of them; `[]`:
 * any credential). The socket checks it before the handler runs, as REST routes are checked.
 */
export interface WsAction {
  scope: readonly Scope[];
  /** Scopes needed as well, each of them (an action that both reads a stored session and runs the model). */
  also?: readonly Scope[];
  run: WsActionHandler;
}
export type WsActions = Record<string, WsAction>;

export const action = (scope: readonly Scope[], run: WsActionHandler, also?: readonly Scope[]): WsAction =>
  (also ? { scope, run, also } : { scope, run });

/** Whether a scoped credential may use the action; the scopes it lacks are named in the refusal. */
export function missingScopes(granted: readonly string[], a: WsAction): string | null {
  if (!hasScope(granted, a.scope)) return `the ${[...a.scope].sort().join(' or ')} scope`;
  const lacking = (a.also ?? []).filter((s) => !hasScope(granted, [s]));
  return lacking.length ? `the ${[...a.scope].sort().join(' or ')} scope and ${lacking.map((s) => `the ${s} scope`).join(' and ')}` : null;
}
