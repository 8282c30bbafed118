import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { newChat, retryHistory } from '../state/navigation';
import { modelConfigured } from '../state/settings';
import { app, chat, sessions, type ChatMessage } from '../state/stores';
import { sendMessage, stopStreaming } from '../state/turn';
import { attachments, clearFiles, composerFiles } from '../state/attachments';
import { AttachButton, AttachmentPicker } from './AttachmentPicker';
import { openSettings, toast } from '../state/ui';
import { useStore } from '../store';
import { IconArrowDown, IconMore, IconPlus, IconSend, IconStop, PawLogo } from './icons';
import { MessageView } from './Message';
import { NavToggle } from './NavToggle';
import { ModelPicker } from './ModelPicker';
import { openMenu } from './Menu';
import { PlanCardView } from './PlanCard';
import { RenameInput } from './RenameInput';
import { WaitingNotice } from './WaitingNotice';
import { channelLabel, sessionMenu, startRename } from './Sidebar';
import './ChatView.css';

const finePointer = typeof matchMedia === 'function' && matchMedia('(pointer: fine)').matches;

function textOf(m: ChatMessage): string {
  return m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** The server's title rule (spec §7.3) for sessions not in the loaded part of the list. */
function derivedTitle(messages: ChatMessage[]): string | null {
  const first = messages.find((m) => m.role === 'user' && textOf(m).trim());
  return first ? [...textOf(first).trim()].slice(0, 80).join('') : null;
}

function focusComposer(): void {
  document.getElementById('composer-input')?.focus({ preventScroll: true });
}

function ChatHeader() {
  const c = useStore(chat, (s) => s);
  const summary = useStore(sessions, (st) => (c.sessionId ? st.items.find((s) => s.id === c.sessionId) : undefined));
  const renaming = useStore(app, (a) => (a.renaming?.where === 'header' ? a.renaming.id : null));
  const blank = c.draft || (!summary && !c.loading && c.messages.length === 0);
  const title = blank ? 'New chat' : summary?.title ?? c.knownTitle ?? (c.loading ? '' : derivedTitle(c.messages) ?? 'Conversation');
  const canEdit = !blank && Boolean(c.sessionId);
  const chip = c.sessionId && !c.draft ? channelLabel(summary?.channel ?? c.sessionId.split('_')[0]!) : null;

  return (
    <header class="chat-head">
      <NavToggle />
      <div class="chat-title-wrap">
        {renaming && c.sessionId === renaming ? (
          <RenameInput id={renaming} initial={title} where="header" />
        ) : (
          <h1
            class="chat-title"
            tabIndex={canEdit ? 0 : -1}
            title={canEdit ? `${title} — double-click or F2 to rename` : title}
            onDblClick={() => canEdit && startRename(c.sessionId!, 'header')}
            onKeyDown={(e) => {
              if (e.key === 'F2' && canEdit) {
                e.preventDefault();
                e.stopPropagation();
                startRename(c.sessionId!, 'header');
              }
            }}
          >
            {title}
          </h1>
        )}
        {chip ? <span class="chip">{chip}</span> : null}
      </div>
      <ModelPicker />
      {canEdit ? (
        <button
          type="button"
          class="icon-btn"
          aria-label="Conversation options"
          aria-haspopup="menu"
          aria-expanded="false"
          onClick={(e) => openMenu(e.currentTarget as HTMLElement, 'Conversation options', sessionMenu(c.sessionId!, 'header'))}
        >
          <IconMore />
        </button>
      ) : null}
      <button type="button" class="icon-btn mobile-only" aria-label="New chat" onClick={newChat}>
        <IconPlus />
      </button>
    </header>
  );
}

function ConnBanner() {
  const conn = useStore(app, (a) => a.conn);
  const ever = useStore(app, (a) => a.everConnected);
  if (conn === 'open' || !ever) return null;
  return (
    <div class="banner" role="status">
      <span class="spinner" aria-hidden="true" /> Connection lost. Reconnecting…
    </div>
  );
}

const SUGGESTIONS = [
  'Explain a concept I should know as a developer',
  'Draft a friendly reply to a tricky email',
  'Plan my week around three priorities',
  'What time is it in Tokyo right now?',
];

function EmptyState() {
  const settings = useStore(app, (a) => a.settings);
  const hint = useStore(app, (a) => a.noModelHint);
  const configured = modelConfigured(settings);
  if (configured !== true || hint) {
    return (
      <section class="empty first-run" aria-labelledby="first-run-title">
        <PawLogo size={56} />
        <h2 id="first-run-title">Welcome to PocketPaw</h2>
        <p>
          Connect a model to start chatting. PocketPaw works with Anthropic, OpenAI, a local Ollama, or any
          OpenAI-compatible server — your conversations stay on this machine.
        </p>
        <button type="button" class="btn btn-primary btn-large" onClick={() => openSettings()}>
          Set up a model in Settings
        </button>
        {configured === 'maybe' && !hint ? (
          <p class="muted small">Ollama running on this machine? Then just type a message below: PocketPaw finds it on its own.</p>
        ) : null}
      </section>
    );
  }
  return (
    <section class="empty" aria-labelledby="empty-title">
      <PawLogo size={48} />
      <h2 id="empty-title">What can I help with?</h2>
      <div class="suggestions">
        {SUGGESTIONS.map((s) => (
          <button key={s} type="button" class="suggestion" onClick={() => sendMessage(s)}>
            {s}
          </button>
        ))}
      </div>
    </section>
  );
}

function MessageList() {
  const messages = useStore(chat, (c) => c.messages);
  const loading = useStore(chat, (c) => c.loading);
  const loadError = useStore(chat, (c) => c.loadError);
  const find = useStore(chat, (c) => c.find);
  const sessionId = useStore(chat, (c) => c.sessionId);
  const streaming = useStore(chat, (c) => c.streaming);
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [showJump, setShowJump] = useState(false);

  const findLower = find?.toLowerCase() ?? null;
  const hitKey = findLower ? messages.find((m) => textOf(m).toLowerCase().includes(findLower))?.key ?? null : null;

  // A newly opened session starts at its latest message; a search hit at the match.
  useLayoutEffect(() => {
    stick.current = true;
  }, [sessionId]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (hitKey !== null) {
      const mark = el.querySelector<HTMLElement>(`[data-key="${hitKey}"] .find-hit`) ?? el.querySelector<HTMLElement>(`[data-key="${hitKey}"]`);
      if (mark) {
        mark.scrollIntoView({ block: 'center' });
        stick.current = false;
        return;
      }
    }
    if (stick.current) el.scrollTop = el.scrollHeight;
  }, [messages, hitKey, loading]);

  // Sending a message always brings the view down to it.
  const lastRole = messages[messages.length - 1]?.role;
  const count = messages.length;
  useEffect(() => {
    if (streaming && ref.current) {
      stick.current = true;
      ref.current.scrollTop = ref.current.scrollHeight;
    }
  }, [streaming, count, lastRole]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    stick.current = atBottom;
    if (showJump === atBottom) setShowJump(!atBottom);
  };

  if (loadError) {
    return (
      <div class="messages center">
        <div class="callout callout-error" role="alert">
          <div class="callout-body">
            <p class="callout-title">Could not load this conversation</p>
            <p class="callout-text">{loadError}</p>
            <div class="callout-actions">
              <button type="button" class="btn btn-small" onClick={retryHistory}>
                Try again
              </button>
            </div>
          </div>
        </div>
      </div>
    );
  }

  return (
    <div class="messages" ref={ref} onScroll={onScroll} role="log" aria-label="Messages" aria-live="polite" aria-relevant="additions">
      <div class="messages-inner">
        {loading && messages.length === 0 ? (
          <div class="msg-skeleton" role="status" aria-label="Loading messages">
            <div class="skeleton-line" style={{ width: '40%', marginLeft: 'auto' }} />
            <div class="skeleton-line" style={{ width: '85%' }} />
            <div class="skeleton-line" style={{ width: '70%' }} />
          </div>
        ) : null}
        {messages.map((m) => (
          <MessageView key={m.key} m={m} highlight={m.key === hitKey ? find : null} />
        ))}
        <PlanCardView sessionId={sessionId} />
      </div>
      {showJump ? (
        <button
          type="button"
          class="jump"
          aria-label="Scroll to the latest message"
          onClick={() => {
            const el = ref.current;
            if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
          }}
        >
          <IconArrowDown />
        </button>
      ) : null}
    </div>
  );
}

function Composer() {
  const streaming = useStore(chat, (c) => c.streaming);
  const readOnly = useStore(chat, (c) => c.readOnly);
  const sessionId = useStore(chat, (c) => c.sessionId);
  const channel = sessionId?.split('_')[0] ?? '';
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const files = composerFiles({ files: useStore(attachments, (s) => s.files) });

  // Grow with the text, up to a limit.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (!text) {
      el.style.height = ''; // empty: one line, no need to measure (a forced layout)
      return;
    }
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  // Ready to type in the session just opened, unless the user is typing somewhere else (a title).
  // After the frame is painted: focusing measures layout, which should not delay the first paint.
  useEffect(() => {
    if (!finePointer || readOnly) return;
    let timer = 0;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => {
        if (app.get().renaming) return;
        const ae = document.activeElement;
        if (ae && ae !== document.body && (ae.matches('input, textarea, select, [contenteditable="true"]') || ae.closest('dialog'))) return;
        focusComposer();
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [sessionId, readOnly]);

  if (readOnly) {
    return (
      <div class="composer-wrap">
        <p class="readonly-note">
          This conversation came in over {channelLabel(channel) ?? channel}. You can read, rename, export or delete it here; replies
          go through {channelLabel(channel) ?? 'that channel'}.
        </p>
      </div>
    );
  }

  const submit = () => {
    if (streaming) return;
    if (files.busy || files.failed) {
      toast(files.busy ? 'Wait until the files have finished uploading.' : 'Remove the files that could not be sent (×), then send.');
      return;
    }
    if (sendMessage(text, files.ready)) {
      setText('');
      clearFiles();
    }
  };

  return (
    <div class="composer-wrap">
      <AttachmentPicker />
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <AttachButton />
        <label class="sr-only" for="composer-input">
          Message PocketPaw
        </label>
        <textarea
          id="composer-input"
          ref={ref}
          rows={1}
          placeholder="Message PocketPaw…"
          value={text}
          onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        {streaming ? (
          <button type="button" class="send stop" aria-label="Stop generating" title="Stop generating" onClick={stopStreaming}>
            <IconStop />
          </button>
        ) : (
          <button type="submit" class="send" aria-label="Send message" title="Send (Enter)" disabled={(!text.trim() && !files.ready.length) || files.busy || files.failed}>
            <IconSend />
          </button>
        )}
      </form>
      <p class="composer-hint" aria-hidden="true">
        Enter to send · Shift+Enter for a new line
      </p>
    </div>
  );
}

export function ChatView() {
  const empty = useStore(chat, (c) => c.messages.length === 0 && !c.loading && !c.loadError);
  return (
    <main class="chat" aria-label="Chat">
      <ChatHeader />
      <ConnBanner />
      {empty ? (
        <div class="messages center">
          <EmptyState />
        </div>
      ) : (
        <MessageList />
      )}
      <WaitingNotice />
      <Composer />
    </main>
  );
}
