/**
 * The chat-turn state machine: what the open chat sends over the socket (messages, skill runs,
 * the conversation tree's actions) and the connection's session frames. How the answering frames
 * become messages on screen is its base, TurnStream (turn-stream.ts). One instance (`turns`)
 * holds all of its mutable state.
 */
import type { AttachmentInfo, HistoryMessage } from '@protocol';
import { api } from '../api';
import { replaceRoute, sessionHref } from '../router';
import { loadFirstPage } from './sessions';
import { link } from './socket';
import { chat, type ChatMessage } from './stores';
import { TurnStream } from './turn-stream';
import { toast } from './ui';
import { takePendingModel } from './chat-model';

/** Messages a `session_history` frame carries at most (spec §4.1). */
const SESSION_HISTORY_LIMIT = 100;

/** The actions on the conversation tree (spec §4.7): their refusals undo what the screen did. */
const TREE_ACTIONS = new Set(['regenerate', 'edit_message', 'continue', 'switch_branch']);

export class ChatTurns extends TurnStream {
  /** The first action of a new chat (a message, a skill run), held until the chat has its id. */
  private queuedChat: Record<string, unknown> | null = null;
  /** The socket dropped: the next `connection_info` is a reconnect. */
  private reconnecting = false;
  /** A `switch_branch` on its way: its `session_history` reply replaces the messages. */
  private pendingBranch: string | null = null;

  // ----- what the owner does -----------------------------------------------------------------

  /** Sends a chat message, with uploaded files (spec §4.7); false when it cannot be sent now. */
  send(text: string, media?: AttachmentInfo[]): boolean {
    if (!text.trim() && !media?.length) return false;
    const files = media?.length ? { media: media.map((a) => ({ id: a.id })) } : {};
    const model = chat.get().draft || !chat.get().sessionId ? takePendingModel() : undefined;
    const sent = this.start(text, { action: 'chat', message: text, ...files, ...(model ? { model } : {}) });
    if (sent && media?.length) this.showAttachments(media);
    return sent;
  }

  /** The files on the user message just added (the last user message on screen). */
  private showAttachments(media: AttachmentInfo[]): void {
    const messages = [...chat.get().messages];
    const at = messages.map((m) => m.role).lastIndexOf('user');
    if (at >= 0) messages[at] = { ...messages[at]!, attachments: media };
    chat.set({ messages });
  }

  /** Runs a skill as a turn of the open chat (`run_skill`, spec §4.3); shown as `/name args`. */
  runSkill(name: string, args: string): boolean {
    return this.start(`/${name}${args ? ` ${args}` : ''}`, { action: 'run_skill', name, args });
  }

  private start(shown: string, frame: Record<string, unknown>): boolean {
    const c = chat.get();
    if (c.streaming || c.readOnly || !link.started) return false;
    const user: ChatMessage = { key: this.nextKey(), role: 'user', parts: [{ type: 'text', text: shown }], status: 'done' };
    const answer: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
    this.turn = { key: answer.key, stopRequested: false, errorText: null, adopted: false, userKey: user.key };
    chat.set({ messages: [...c.messages, user, answer], streaming: true, find: null });
    if (!c.sessionId || this.barrier?.kind === 'new') this.queuedChat = frame;
    else this.dispatch(frame);
    return true;
  }

  /** Whether a tree action may start now (not while a turn runs, nor in another channel's chat). */
  private canAct(): boolean {
    const c = chat.get();
    return Boolean(c.sessionId) && !c.streaming && !c.readOnly && !c.loading && link.started && this.barrier === null;
  }

  /**
   * A new answer to the question before `m` (spec §4.7 `regenerate`): an answer gets a new
   * version (a failed one is replaced); a user message is answered again. On screen the branch
   * below that question gives way to the new answer.
   */
  regenerate(m: ChatMessage): boolean {
    if (!this.canAct()) return false;
    const c = chat.get();
    const idx = c.messages.findIndex((x) => x.key === m.key);
    if (idx < 0) return false;
    let userIdx = idx;
    if (m.role === 'assistant') {
      userIdx = -1;
      for (let i = idx - 1; i >= 0; i--) {
        if (c.messages[i]!.role === 'user') {
          userIdx = i;
          break;
        }
      }
    }
    const target = m.id ?? (userIdx >= 0 ? c.messages[userIdx]!.id : undefined);
    if (!target) {
      toast('This message is not saved yet. Reload the chat, then try again.', 'error');
      return false;
    }
    const failed = m.role === 'assistant' && (m.status === 'error' || Boolean(m.error) || m.kind === 'failure');
    const last = idx === c.messages.length - 1;
    const answer: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
    const keep = userIdx >= 0 ? c.messages.slice(0, userIdx + 1) : c.messages.slice(0, idx);
    this.turn = {
      key: answer.key, stopRequested: false, errorText: null, adopted: false, before: c.messages,
      branch: m.role === 'assistant' && m.id ? { of: 'answer', prev: m.versions, prevId: m.id, replaced: failed && last } : { of: 'answer', replaced: false },
    };
    chat.set({ messages: [...keep, answer], streaming: true, find: null });
    this.dispatch({ action: 'regenerate', session_id: c.sessionId, message_id: target });
    return true;
  }

  /** Sends `text` in place of a sent user message (spec §4.7 `edit_message`): a new branch from there. */
  edit(m: ChatMessage, text: string): boolean {
    if (!text.trim() || !m.id || m.role !== 'user' || !this.canAct()) return false;
    const c = chat.get();
    const idx = c.messages.findIndex((x) => x.key === m.key);
    if (idx < 0) return false;
    // The new version keeps the files of the one it replaces.
    const files = m.attachments?.length ? m.attachments : undefined;
    const user: ChatMessage = { key: this.nextKey(), role: 'user', parts: [{ type: 'text', text }], status: 'done', ...(files ? { attachments: files } : {}) };
    const answer: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
    this.turn = {
      key: answer.key, stopRequested: false, errorText: null, adopted: false, userKey: user.key, before: c.messages,
      branch: { of: 'user', prev: m.versions, prevId: m.id, replaced: false },
    };
    chat.set({ messages: [...c.messages.slice(0, idx), user, answer], streaming: true, find: null });
    const media = files ? { media: files.map((a) => ({ id: a.id })) } : {};
    this.dispatch({ action: 'edit_message', session_id: c.sessionId, message_id: m.id, message: text, ...media });
    return true;
  }

  /** Goes on with a stopped answer (spec §4.7 `continue`): the new text joins the same message. */
  continueAnswer(m: ChatMessage): boolean {
    if (!m.id || m.role !== 'assistant' || m.status !== 'stopped' || !this.canAct()) return false;
    const c = chat.get();
    if (c.messages[c.messages.length - 1]?.key !== m.key) return false;
    this.turn = { key: m.key, stopRequested: false, errorText: null, adopted: false, before: c.messages };
    // The next chunk continues the text as it was: a space is the model's to write.
    this.update(m.key, (x) => ({ ...x, status: 'streaming', error: undefined }));
    chat.set({ streaming: true, find: null });
    this.dispatch({ action: 'continue', session_id: c.sessionId, message_id: m.id });
    return true;
  }

  /** Shows another version of a message (spec §4.7 `switch_branch`); the reply replaces the messages. */
  switchBranch(id: string): boolean {
    if (!this.canAct()) return false;
    const sessionId = chat.get().sessionId!;
    if (!link.sendNow({ action: 'switch_branch', session_id: sessionId, message_id: id })) {
      toast('Not connected: try again in a moment.', 'error');
      return false;
    }
    this.pendingBranch = sessionId;
    return true;
  }

  /**
   * An `error` frame answering an action. A refused tree action (another answer is running, the
   * message is gone) puts the messages back as they were; the caller still shows the reason.
   */
  onActionError(action: string | undefined): void {
    if (!action || !TREE_ACTIONS.has(action)) return;
    if (action === 'switch_branch') {
      this.pendingBranch = null;
      return;
    }
    const t = this.turn;
    if (!t || t.started || !t.before) return;
    this.abandon();
    chat.set({ messages: t.before, streaming: false });
  }

  stop(): void {
    if (!this.turn) return;
    this.turn.stopRequested = true;
    if (!link.sendNow({ action: 'stop' })) toast('Not connected: the answer cannot be stopped right now.', 'error');
  }

  /** Forgets the turn on screen (the owner left the chat, or signed out). */
  abandon(): void {
    if (this.flushHandle) cancelAnimationFrame(this.flushHandle);
    this.flushHandle = 0;
    this.pendingText = '';
    this.turn = null;
    this.queuedChat = null;
    this.pendingBranch = null;
  }

  /** The socket moves to another dashboard chat. Not connected: the next connection resumes it. */
  switchTo(id: string): void {
    if (link.sendNow({ action: 'switch_session', session_id: id })) this.barrier = { kind: 'switch', id };
  }

  /** A new chat. Not connected: the next connection's fresh chat id becomes this chat's. */
  startNew(): void {
    if (link.sendNow({ action: 'new_session' })) this.barrier = { kind: 'new' };
  }

  private dispatch(frame: Record<string, unknown>): void {
    const c = chat.get();
    link.send(frame);
    if (c.route.kind === 'new' && c.sessionId) {
      replaceRoute(sessionHref(c.sessionId));
      chat.set({ route: { kind: 'session', id: c.sessionId } });
    }
  }

  private sendQueued(): void {
    if (this.queuedChat === null) return;
    const frame = this.queuedChat;
    this.queuedChat = null;
    this.dispatch(frame);
  }

  // ----- the connection and the session frames -------------------------------------------------

  onReconnecting(): void {
    this.reconnecting = true;
  }

  /** `connection_info`: a (re)connection, on chat `id`. */
  onConnected(id: string): void {
    const c = chat.get();
    this.barrier = null;
    if (c.sessionId && !c.readOnly) {
      if (id !== c.sessionId) {
        link.sendNow({ action: 'switch_session', session_id: c.sessionId });
        this.barrier = { kind: 'switch', id: c.sessionId };
      }
    } else if (c.draft && !c.sessionId) {
      chat.set({ sessionId: id });
      this.sendQueued();
    }
    if (this.reconnecting) {
      this.reconnecting = false;
      // Session events sent while we were away are lost: refresh the top of the list.
      void loadFirstPage().catch(() => undefined);
      if (this.turn && c.sessionId) void this.resyncAfterReconnect(c.sessionId);
    }
  }

  /**
   * `session_history`: the switch went through (the history itself comes over REST), or a
   * branch switch's answer: the messages of the branch now active.
   */
  onSessionHistory(id: string, messages?: HistoryMessage[]): void {
    if (this.barrier?.kind === 'switch' && id === this.barrier.id) {
      this.barrier = null;
      return;
    }
    if (this.pendingBranch !== null && id === this.pendingBranch && Array.isArray(messages)) {
      this.pendingBranch = null;
      const c = chat.get();
      if (c.sessionId !== id || c.streaming) return;
      // Same places, same keys: the messages stay mounted, so focus stays on the arrow just used.
      const fresh = this.messagesOf(messages).map((m, i) => (c.messages[i]?.role === m.role ? { ...m, key: c.messages[i]!.key } : m));
      chat.set({ messages: fresh });
      // The frame holds the last 100 messages; a longer branch comes whole over REST, as on open.
      if (messages.length >= SESSION_HISTORY_LIMIT) void this.resyncHistory(id);
    }
  }

  /** `new_session`: the new chat's id, for a draft still waiting for one. */
  onNewSession(id: string): void {
    if (this.barrier?.kind === 'new') this.barrier = null;
    const c = chat.get();
    if (c.draft && c.route.kind === 'new') {
      chat.set({ sessionId: id });
      this.sendQueued();
    }
  }

  /** `session_updated` of the open chat: it is stored (no longer a draft), maybe with a final answer. */
  onSessionUpdated(id: string): void {
    const c = chat.get();
    if (id !== c.sessionId) return;
    if (c.draft) chat.set({ draft: false });
    if (this.resyncOnUpdate && !c.streaming) {
      this.resyncOnUpdate = false;
      void this.resyncHistory(id);
    }
  }

  // ----- catching up with the stored messages --------------------------------------------------

  /**
   * The socket dropped during an answer. If the turn still runs, its remaining chunks come to the
   * new socket (it resumed the chat) and the stored answer replaces the gappy one at the end; if it
   * finished while we were away, the stored answer is already in the history.
   */
  private async resyncAfterReconnect(id: string): Promise<void> {
    const t = this.turn;
    if (!t) return;
    this.resyncOnUpdate = true;
    let history: HistoryMessage[];
    try {
      history = await api.history(id);
    } catch {
      return;
    }
    if (this.turn !== t || chat.get().sessionId !== id) return;
    const asked = chat.get().messages.filter((m) => m.role === 'user').length;
    const stored = history.filter((m) => m.role === 'user').length;
    if (history[history.length - 1]?.role === 'assistant' && stored >= asked) {
      this.abandon();
      this.resyncOnUpdate = false;
      chat.set({ messages: this.messagesOf(history), streaming: false });
    }
  }
}

export const turns = new ChatTurns();

export const sendMessage = (text: string, media?: AttachmentInfo[]): boolean => turns.send(text, media);
export const stopStreaming = (): void => turns.stop();
export const runSkill = (name: string, args: string): boolean => turns.runSkill(name, args);
