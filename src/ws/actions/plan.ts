import type { WsActions } from './types.js';

/** Plan mode over the WebSocket (`approve_plan` / `reject_plan`, spec §4.3). Filled in by the tools issue. */
export const planActions: WsActions = {};
