import { action, type WsActionContext, type WsActions } from './types.js';

/** The session a plan action names; without one, the chat this socket is on. */
function sessionKeyOf(frame: Record<string, unknown>, conn: WsActionContext): string {
  const key = typeof frame.session_key === 'string' ? frame.session_key.trim() : '';
  return key || conn.ctx.chat.currentKey(`websocket:${conn.chatId}`);
}

function decide(decision: 'approved' | 'rejected') {
  const verb = decision === 'approved' ? 'approve' : 'reject';
  return (frame: Record<string, unknown>, conn: WsActionContext) => {
    const sessionKey = sessionKeyOf(frame, conn);
    if (!conn.ctx.tools.plans.decide(sessionKey, decision)) {
      conn.send({ type: 'error', content: `No active plan to ${verb}` });
      return;
    }
    conn.send({ type: `plan_${decision}`, session_key: sessionKey });
  };
}

/**
 * Plan mode over the WebSocket (`approve_plan` / `reject_plan`, spec §4.3). Approving runs a held
 * shell command, so it is the owner's decision: `admin`, as on REST.
 */
export const planActions: WsActions = {
  approve_plan: action(['admin'], decide('approved')),
  reject_plan: action(['admin'], decide('rejected')),
};
