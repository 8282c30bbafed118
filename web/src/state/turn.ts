/**
 * The chat-turn state machine: what the open chat sends over the socket and how the frames that
 * answer it become messages on screen. One instance (`turns`) holds all of its mutable state.
 */
import type { FrameOf, HistoryMessage, NoticeKind, ServerFrame } from '@protocol';
import { toSessionId } from '@protocol';
import { api } from '../api';
import { replaceRoute, sessionHref } from '../router';
import { finished, fromHistory, withText, withThinking, withThinkingDone, withToolResult, withToolStarted } from './messages';
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
}

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

  nextKey(): number {
    return this.keySeq++;
  }

  messagesOf(history: HistoryMessage[]): ChatMessage[] {
    return fromHistory(history, () => this.nextKey());
  }

  // ----- what the owner does -----------------------------------------------------------------

  /** Sends a chat message; false when it cannot be sent now. */
  send(text: string): boolean {
    if (!text.trim()) return false;
    return this.start(text, { action: 'chat', message: text });
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
    this.turn = { key: answer.key, stopRequested: false, errorText: null, adopted: false };
    chat.set({ messages: [...c.messages, user, answer], streaming: true, find: null });
    if (!c.sessionId || this.barrier?.kind === 'new') this.queuedChat = frame;
    else this.dispatch(frame);
    return true;
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

  /** `session_history`: the switch went through (the history itself comes over REST). */
  onSessionHistory(id: string): void {
    if (this.barrier?.kind === 'switch' && id === this.barrier.id) this.barrier = null;
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
        this.finish();
        return;
      case 'system_event':
        this.onSystemEvent(f);
        return;
    }
  }

  /** Output of a turn this tab did not start (it took the chat over): show it as it comes. */
  private adopt(): Turn {
    const msg: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
    this.turn = { key: msg.key, stopRequested: false, errorText: null, adopted: true };
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

  private finish(): void {
    this.flushText();
    const t = this.turn;
    if (!t) return;
    this.turn = null;
    dropOpenPlan(chat.get().sessionId);
    this.update(t.key, (m) => finished(m, t.stopRequested));
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

export const sendMessage = (text: string): boolean => turns.send(text);
export const stopStreaming = (): void => turns.stop();
export const runSkill = (name: string, args: string): boolean => turns.runSkill(name, args);

/** The last thing the user asked, for "Try again". */
export function retryLast(): void {
  const msgs = chat.get().messages;
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i]!;
    if (m.role === 'user') {
      const text = m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
      sendMessage(text);
      return;
    }
  }
}
