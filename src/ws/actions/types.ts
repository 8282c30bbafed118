import type { AppContext } from '../../app/context.js';
import type { Scope } from '../../auth/scopes.js';
import type { Frame } from '../hub.js';

/** What an action handler may use: this socket, every socket, and the app. */
export interface WsActionContext {
  ctx: AppContext;
  chatId: string;
  send(frame: Frame): void;
  broadcast(frame: Frame): void;
}

export type WsActionHandler = (frame: Record<string, unknown>, conn: WsActionContext) => void | Promise<void>;

/**
 * A client action and the scope a scoped credential needs to use it (any one of them; `[]`:
 * any credential). The socket checks it before the handler runs, as REST routes are checked.
 */
export interface WsAction {
  scope: readonly Scope[];
  run: WsActionHandler;
}
export type WsActions = Record<string, WsAction>;

export const action = (scope: readonly Scope[], run: WsActionHandler): WsAction => ({ scope, run });
