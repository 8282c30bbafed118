import type { AppContext } from '../../app/context.js';
import type { Frame } from '../hub.js';

/** What an action handler may use: this socket, every socket, and the app. */
export interface WsActionContext {
  ctx: AppContext;
  chatId: string;
  send(frame: Frame): void;
  broadcast(frame: Frame): void;
}

export type WsActionHandler = (frame: Record<string, unknown>, conn: WsActionContext) => void | Promise<void>;
export type WsActions = Record<string, WsActionHandler>;
