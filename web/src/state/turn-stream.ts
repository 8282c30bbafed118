/**
 * The turn's output: how the frames that answer a chat turn (stream, message and system-event
 * frames, `stream_end`) become messages on screen. The base of the turn machine (turn.ts), which
 * adds what the owner does and the connection's own frames.
 */
import type { FrameOf, HistoryMessage, MessageVersions, NoticeKind, ServerFrame } from '@protocol';
import { toSessionId } from '@protocol';
import { api } from '../api';
import { finished, fromHistory, withNewVersion, withText, withThinking, withThinkingDone, withToolResult, withToolStarted } from './messages';
import { dropOpenPlan } from './plans';
import { app, chat, type ChatMessage } from './stores';
import { toast } from './ui';

/** A chat switch or a new chat asked of the server, until it answers (`session_history`, `new_session`). */
export type Barrier = { kind: 'switch'; id: string } | { kind: 'new' };

/** The answer being streamed: the message it fills, and how it is to end. */
export interface Turn {
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

export class TurnStream {
  /** Keys of messages and tool steps, unique for the page's life. */
  private keySeq = 1;
  /** Frames of the previous chat may still be in flight after a switch: ignore them until the reply. */
  protected barrier: Barrier | null = null;
  protected turn: Turn | null = null;
  /** Chunks not on screen yet: applied once per animation frame. */
  protected pendingText = '';
  protected flushHandle = 0;
  /** The next `session_updated` of this chat means its stored messages are final: reload them. */
  protected resyncOnUpdate = false;

  nextKey(): number {
    return this.keySeq++;
  }

  messagesOf(history: HistoryMessage[]): ChatMessage[] {
    return fromHistory(history, () => this.nextKey());
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
  protected adopt(): Turn {
    const msg: ChatMessage = { key: this.nextKey(), role: 'assistant', parts: [], status: 'streaming' };
    this.turn = { key: msg.key, stopRequested: false, errorText: null, adopted: true, started: true };
    chat.set((c) => ({ messages: [...c.messages, msg], streaming: true }));
    return this.turn;
  }

  protected update(key: number, fn: (m: ChatMessage) => ChatMessage): void {
    chat.set((c) => ({ messages: c.messages.map((m) => (m.key === key ? fn(m) : m)) }));
  }

  protected current(): ChatMessage | undefined {
    const key = this.turn?.key;
    return key === undefined ? undefined : chat.get().messages.find((m) => m.key === key);
  }

  protected appendText(text: string): void {
    this.pendingText += text;
    if (!this.flushHandle) {
      this.flushHandle = requestAnimationFrame(() => {
        this.flushHandle = 0;
        this.flushText();
      });
    }
  }

  /** Chunks are applied once per frame: a fast stream re-renders 60 times a second, not 600. */
  protected flushText(): void {
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
  protected addNotice(content: string, notice: NoticeKind | undefined): void {
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
  protected finish(f: FrameOf<'stream_end'>): void {
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
  protected isOurSessionKey(key: unknown): boolean {
    const id = chat.get().sessionId;
    if (typeof key !== 'string' || !id) return false;
    const sid = toSessionId(key);
    return sid === id || sid.startsWith(`${id}_`);
  }

  protected onSystemEvent(f: FrameOf<'system_event'>): void {
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

  /** Replaces the messages with the stored ones, without a loading flash. */
  protected async resyncHistory(id: string): Promise<void> {
    try {
      const history = await api.history(id);
      const c = chat.get();
      if (c.sessionId === id && !c.streaming) chat.set({ messages: this.messagesOf(history) });
    } catch {
      // keep what is on screen
    }
  }
}
