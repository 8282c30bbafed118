/**
 * The chat-turn state machine: what the open chat sends over the socket and how the frames that
 * answer it become messages on screen. One instance (`turns`) holds all of its mutable state.
 */
import type { AttachmentInfo, FrameOf, HistoryMessage, MessageVersions, NoticeKind, ServerFrame } from '@protocol';
import { toSessionId } from '@protocol';
import { api } from '../api';
import { replaceRoute, sessionHref } from '../router';
import { finished, fromHistory, withNewVersion, withText, withThinking, withThinkingDone, withToolResult, withToolStarted } from './messages';
import { dropOpenPlan } from './plans';
import { loadFirstPage } from './sessions';
import { link } from './socket';
import { app, chat, type ChatMessage } from './stores';
import { toast } from './ui';

/** A chat switch or a new chat asked of the server, until it answers (`session_history`, `new_session`). */
type Barrier = { kind: 'switch'; id: string } | { kind: 'new' };

/** The answer being streamed: the message it fills, and how it is to end. */
interface Turn {
  key: number;
  stopRequested: boolean;
  /** The agent's error, shown in a callout: the same text as a chunk is not shown again. */
  errorText: string | null;
  /** Started by another tab on this chat: this tab only watches it. */
  adopted: boolean;
  /** The server answered with `stream_start`: a refusal of the action can no longer come. */
  started?: boolean;
  /** The user message this turn sent (a chat, an edit): it learns its stored id at the end. */
  userKey?: number;
  /** A new sibling in the conversation tree (regenerate, edit): the versions it joins. */
  branch?: { of: 'answer' | 'user'; prev?: MessageVersions; prevId?: string; replaced: boolean };
  /** The messages before a tree action changed them, restored if the server refuses it. */
  before?: ChatMessage[];
}

/** Messages a `session_history` frame carries at most (spec §4.1). */
const SESSION_HISTORY_LIMIT = 100;

/** The actions on the conversation tree (spec §4.7): their refusals undo what the screen did. */
const TREE_ACTIONS = new Set(['regenerate', 'edit_message', 'continue', 'switch_branch']);

export class ChatTurns {
  /** Keys of messages and tool steps, unique for the page's life. */
  private keySeq = 1;
  /** Frames of the previous chat may still be in flight after a switch: ignore them until the reply. */
  private barrier: Barrier | null = null;
  private turn: Turn | null = null;
  /** The first action of a new chat (a message, a skill run), held until the chat has its id. */
  private queuedChat: Record<string, unknown> | null = null;
  /** Chunks not on screen yet: applied once per animation frame. */
  private pendingText = '';
  private flushHandle = 0;
  /** The next `session_updated` of this chat means its stored messages are final: reload them. */
  private resyncOnUpdate = false;
  /** The socket dropped: the next `connection_info` is a reconnect. */
  private reconnecting = false;
  /** A `switch_branch` on its way: its `session_history` reply replaces the messages. */
  private pendingBranch: string | null = null;

  nextKey(): number {
    return this.keySeq++;
  }

  messagesOf(history: HistoryMessage[]): ChatMessage[] {
    return fromHistory(history, () => this.nextKey());
  }

  // ----- what the owner does -----------------------------------------------------------------

  /** Sends a chat message, with uploaded files (spec §4.7); false when it cannot be sent now. */
  send(text: string, media?: AttachmentInfo[]): boolean {
    if (!text.trim() && !media?.length) return false;
    const files = media?.length ? { media: media.map((a) => ({ id: a.id })) } : {};
    const sent = this.start(text, { action: 'chat', message: text, ...files });
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
    const user: ChatMessage = { key: this.nextKey(), role: 'user', parts: [{ type: 'text', text }], status: 'done' };
    const answer: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
    this.turn = {
      key: answer.key, stopRequested: false, errorText: null, adopted: false, userKey: user.key, before: c.messages,
      branch: { of: 'user', prev: m.versions, prevId: m.id, replaced: false },
    };
    chat.set({ messages: [...c.messages.slice(0, idx), user, answer], streaming: true, find: null });
    this.dispatch({ action: 'edit_message', session_id: c.sessionId, message_id: m.id, message: text });
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
      chat.set({ messages: this.messagesOf(messages) });
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

  // ----- the turn's output ---------------------------------------------------------------------

  /** Stream, message and system-event frames of the open chat. */
  onChatFrame(f: ServerFrame): void {
    if (this.barrier) return; // chat output of the chat we just left
    switch (f.type) {
      case 'stream_start':
        if (!this.turn) this.adopt();
        else this.turn.started = true;
        return;
      case 'message': {
        const content = typeof f.content === 'string' ? f.content : '';
        if (f.is_stream_chunk === true) {
          const turn = this.turn ?? this.adopt();
          if (turn.errorText !== null && content === turn.errorText) return; // already shown as the error
          this.appendText(content);
        } else {
          this.flushText();
          if (!this.turn) {
            if (content) toast(content);
            return;
          }
          this.addNotice(content, f.notice);
        }
        return;
      }
      case 'stream_end':
        this.finish(f);
        return;
      case 'system_event':
        this.onSystemEvent(f);
        return;
    }
  }

  /** Output of a turn this tab did not start (it took the chat over): show it as it comes. */
  private adopt(): Turn {
    const msg: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
    this.turn = { key: msg.key, stopRequested: false, errorText: null, adopted: true, started: true };
    chat.set((c) => ({ messages: [...c.messages, msg], streaming: true }));
    return this.turn;
  }

  private update(key: number, fn: (m: ChatMessage) => ChatMessage): void {
    chat.set((c) => ({ messages: c.messages.map((m) => (m.key === key ? fn(m) : m)) }));
  }

  private current(): ChatMessage | undefined {
    const key = this.turn?.key;
    return key === undefined ? undefined : chat.get().messages.find((m) => m.key === key);
  }

  private appendText(text: string): void {
    this.pendingText += text;
    if (!this.flushHandle) {
      this.flushHandle = requestAnimationFrame(() => {
        this.flushHandle = 0;
        this.flushText();
      });
    }
  }

  /** Chunks are applied once per frame: a fast stream re-renders 60 times a second, not 600. */
  private flushText(): void {
    if (this.flushHandle) {
      cancelAnimationFrame(this.flushHandle);
      this.flushHandle = 0;
    }
    const turn = this.turn;
    if (!this.pendingText || !turn) {
      this.pendingText = '';
      return;
    }
    const text = this.pendingText;
    this.pendingText = '';
    if (this.current()?.kind) {
      // A notice filled the placeholder; the streamed answer gets its own bubble.
      const fresh: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
      chat.set((c) => ({ messages: [...c.messages, fresh] }));
      turn.key = fresh.key;
    }
    this.update(turn.key, (m) => withText(m, text));
  }

  /** A whole message inside a turn. Its `notice` field says what it is; without one (PocketPaw) it is a plain notice. */
  private addNotice(content: string, notice: NoticeKind | undefined): void {
    const kind: ChatMessage['kind'] = notice === 'no_model' ? 'setup' : notice === 'failure' ? 'failure' : 'notice';
    if (kind === 'setup') app.set({ noModelHint: true });
    const error = kind === 'failure' ? content : undefined;
    const msg = this.current();
    if (msg && msg.parts.length === 0 && !msg.kind) {
      this.update(msg.key, (m) => ({ ...m, kind, parts: [{ type: 'text', text: content }], error }));
    } else {
      const fresh: ChatMessage = { key: this.nextKey(), role: 'assistant', kind, parts: [{ type: 'text', text: content }], status: 'done', error };
      chat.set((c) => ({ messages: [...c.messages, fresh] }));
    }
  }

  /**
   * The end of the turn. `stream_end` names the stored messages (spec §4.7): the ones just
   * streamed take those ids, so their actions work without a reload, and a new sibling shows
   * its place among the versions.
   */
  private finish(f: FrameOf<'stream_end'>): void {
    this.flushText();
    const t = this.turn;
    if (!t) return;
    this.turn = null;
    dropOpenPlan(chat.get().sessionId);
    const answerId = typeof f.message_id === 'string' && f.message_id ? f.message_id : undefined;
    const userId = typeof f.user_message_id === 'string' && f.user_message_id ? f.user_message_id : undefined;
    this.update(t.key, (m) => {
      const done = finished(m, t.stopRequested);
      if (!answerId) return done;
      const versions = t.branch?.of === 'answer' ? withNewVersion(t.branch.prev, t.branch.prevId, answerId, t.branch.replaced) : done.versions;
      return { ...done, id: answerId, versions };
    });
    if (userId && t.userKey !== undefined) {
      const b = t.branch;
      this.update(t.userKey, (m) => ({ ...m, id: userId, versions: b?.of === 'user' ? withNewVersion(b.prev, b.prevId, userId) : m.versions }));
    }
    chat.set({ streaming: false });
    if (t.adopted) this.resyncOnUpdate = true;
  }

  /** Thinking frames name their session: only this chat's (or its sub-agents') belong here. */
  private isOurSessionKey(key: unknown): boolean {
    const id = chat.get().sessionId;
    if (typeof key !== 'string' || !id) return false;
    const sid = toSessionId(key);
    return sid === id || sid.startsWith(`${id}_`);
  }

  private onSystemEvent(f: FrameOf<'system_event'>): void {
    const data = (f.data && typeof f.data === 'object' ? f.data : {}) as Record<string, unknown>;
    const turn = this.turn;
    if (!turn) return;
    const key = turn.key;
    switch (f.event_type) {
      case 'tool_start': {
        this.flushText();
        const id = this.nextKey();
        const server = typeof data.server === 'string' && data.server ? data.server : undefined;
        this.update(key, (m) => withToolStarted(m, id, String(data.name ?? 'tool'), data.params, server));
        return;
      }
      case 'tool_result': {
        this.flushText();
        const name = String(data.name ?? '');
        const result = typeof data.result === 'string' ? data.result : JSON.stringify(data.result ?? '');
        if (name === 'agent' && data.status === 'error') {
          turn.errorText = result;
          this.update(key, (m) => ({ ...m, error: result }));
          return;
        }
        this.update(key, (m) => withToolResult(m, name, result, data.status === 'error' ? 'error' : 'success'));
        return;
      }
      case 'thinking': {
        if (typeof data.content !== 'string' || !this.isOurSessionKey(data.session_key)) return;
        this.flushText();
        const text = data.content;
        this.update(key, (m) => withThinking(m, text));
        return;
      }
      case 'thinking_done':
        if (!this.isOurSessionKey(data.session_key)) return;
        this.update(key, withThinkingDone);
        return;
      case 'token_usage':
        this.update(key, (m) => ({ ...m, usage: data as ChatMessage['usage'] }));
        return;
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

  /** Replaces the messages with the stored ones, without a loading flash. */
  private async resyncHistory(id: string): Promise<void> {
    try {
      const history = await api.history(id);
      const c = chat.get();
      if (c.sessionId === id && !c.streaming) chat.set({ messages: this.messagesOf(history) });
    } catch {
      // keep what is on screen
    }
  }
}

export const turns = new ChatTurns();

export const sendMessage = (text: string, media?: AttachmentInfo[]): boolean => turns.send(text, media);
export const stopStreaming = (): void => turns.stop();
export const runSkill = (name: string, args: string): boolean => turns.runSkill(name, args);
