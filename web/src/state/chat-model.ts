/**
 * The chat's own model (docs/api.md §4.7) as the dashboard holds it. A stored chat changes at
 * once (WebSocket `set_session_model`, confirmed by `session_updated`); a new chat keeps the
 * choice here and its first `chat` frame carries it (`model`), so the very first answer comes
 * from the chosen model.
 */
import type { ServerFrame } from '@protocol';
import { createStore } from '../store';
import { link } from './socket';

interface ChatModelState {
  /** A new chat's choice. `sessionId`: the draft's id, when known. */
  pending: { sessionId: string | null; model: string } | null;
  /** A stored chat's choice on its way to the server, until `session_updated` confirms it. */
  sent: { sessionId: string; model: string | null } | null;
}

export const chatModel = createStore<ChatModelState>({ pending: null, sent: null });

/** Sets a stored chat's model. */
export function setSessionModel(sessionId: string, model: string | null): void {
  chatModel.set({ sent: { sessionId, model } });
  link.send({ action: 'set_session_model', session_id: sessionId, model });
}

/** A new chat's chosen model, for its first `chat` frame; the choice then belongs to the stored chat. */
export function takePendingModel(): string | undefined {
  const p = chatModel.get().pending;
  if (!p) return undefined;
  chatModel.set({ pending: null, sent: null });
  return p.model;
}

link.listen((f: ServerFrame) => {
  if (f.type === 'session_updated') {
    const s = chatModel.get().sent;
    if (s && f.session?.id === s.sessionId && (f.session.model ?? null) === s.model) chatModel.set({ sent: null });
  } else if (f.type === 'error' && f.action === 'set_session_model') {
    chatModel.set({ sent: null });
  }
});
