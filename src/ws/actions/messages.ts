import { BUSY, type TurnAction } from '../../chat/branch-actions.js';
import { InvalidInputError } from '../../lib/errors.js';
import { parseChatModel } from '../../models/chat-model.js';
import { isDashboardSession } from '../../protocol/sessions.js';
import { str } from './fields.js';
import { action, type WsActionContext, type WsActions } from './types.js';

const HISTORY_LIMIT = 100;

/** The dashboard chat a frame's `session_id` names; other channels' sessions are not changed from here. */
function dashboardChat(f: Record<string, unknown>): { sessionId: string; chatId: string } {
  const sessionId = str(f.session_id);
  const chatId = sessionId.slice('websocket_'.length);
  if (!isDashboardSession(sessionId) || !chatId) {
    throw new InvalidInputError('session_id must name a dashboard conversation (websocket_…).');
  }
  return { sessionId, chatId };
}

function messageId(f: Record<string, unknown>): string {
  const id = str(f.message_id);
  if (!id) throw new InvalidInputError('message_id is required.');
  return id;
}

/**
 * regenerate / edit_message / continue (spec §4.7): checked against the stored tree first (an
 * error frame, nothing streamed), then the socket moves to that chat and the turn streams like
 * a `chat` turn.
 */
async function branchTurn(f: Record<string, unknown>, conn: WsActionContext, kind: TurnAction['kind']): Promise<void> {
  const { chatId } = dashboardChat(f);
  const baseKey = `websocket:${chatId}`;
  const turnAction = { kind, messageId: messageId(f) } as Exclude<TurnAction, { kind: 'chat' }>;
  const text = kind === 'edit' ? str(f.message) : '';
  if (kind === 'edit' && !text.trim()) throw new InvalidInputError('Type the new text of the message.');
  conn.ctx.chat.checkAction(baseKey, turnAction);
  // An edit may carry files like `chat` (spec §4.7); refused ones are an error frame, nothing streamed.
  const attachments = kind === 'edit' ? conn.ctx.media.resolveWs(f.media) : undefined;
  conn.switchChat(chatId);
  conn.send({ type: 'stream_start' });
  // Like `chat`, the stored metadata is the client's frame (spec §7.2), without media payloads.
  const { media: _media, ...metadata } = f;
  await conn.ctx.chat.runTurn({ baseKey, text, metadata: kind === 'edit' ? metadata : {}, action: turnAction, attachments }, conn.turnSink(chatId));
}

/** Message actions of the conversation tree and the chat's own model (ours, spec §4.7). */
export const messageActions: WsActions = {
  // They run the model on a stored conversation named by id, so the answer shows what it holds:
  // chat, and reading sessions as well (a chat-only key stays in chats of its own, as with switch_session).
  regenerate: action(['chat'], (f, conn) => branchTurn(f, conn, 'regenerate'), ['sessions']),
  edit_message: action(['chat'], (f, conn) => branchTurn(f, conn, 'edit'), ['sessions']),
  continue: action(['chat'], (f, conn) => branchTurn(f, conn, 'continue'), ['sessions']),
  // Reading another branch of a conversation is reading sessions, like `switch_session`.
  switch_branch: action(['sessions'], (f, conn) => {
    const { sessionId, chatId } = dashboardChat(f);
    const id = messageId(f);
    if (conn.ctx.chat.isBusy(sessionId)) throw new InvalidInputError(BUSY);
    conn.ctx.sessions.switchBranch(sessionId, id);
    conn.switchChat(chatId);
    conn.send({ type: 'session_history', session_id: sessionId, messages: conn.ctx.sessions.historyView(sessionId, HISTORY_LIMIT) });
  }),
  // A change to a stored session, answered with its summary (title, preview): like a rename.
  set_session_model: action(['sessions'], (f, conn) => {
    const sessionId = str(f.session_id);
    if (!sessionId) throw new InvalidInputError('session_id is required.');
    const model = f.model === null || f.model === '' ? null : str(f.model);
    if (model !== null && !parseChatModel(model)) {
      throw new InvalidInputError('model must be "<provider>:<model id>" (provider: anthropic, openai, ollama or openai_compatible), or null for the default.');
    }
    // The reply is the session_updated frame every socket gets.
    conn.ctx.sessions.setModel(sessionId, model);
  }),
};


