/**
 * What the owner can do with one message (spec §4.7): copy it, regenerate an answer, edit a sent
 * message, continue a stopped answer, and browse the versions ("‹ 2/3 ›") that regenerating and
 * editing leave behind. Shown on hover or focus with a fine pointer, always on touch screens;
 * every button has a label. While an answer runs in this chat, only copying is possible.
 */
import type { MessageVersions } from '@protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { copyText } from '../markdown';
import { textOf } from '../state/messages';
import { chat, type ChatMessage } from '../state/stores';
import { turns } from '../state/turn';
import { useStore } from '../store';
import { IconCopy, IconPencil } from './icons';
import './MessageActions.css';

const Svg = ({ d }: { d: string }) => (
  <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
    <path d={d} />
  </svg>
);
const IconRegenerate = () => <Svg d="M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7" />;
const IconPrev = () => <Svg d="m15 18-6-6 6-6" />;
const IconNext = () => <Svg d="m9 18 6-6-6-6" />;
const IconContinue = () => <Svg d="M5 12h12M13 6l6 6-6 6" />;

/**
 * After an action that replaces the message it was on (regenerate, continue, try again), the
 * keyboard goes where it goes after sending: the message box. Not on touch screens, where that
 * would open the on-screen keyboard.
 */
export function focusComposerAfter(started: boolean): void {
  if (!started || typeof matchMedia !== 'function' || !matchMedia('(pointer: fine)').matches) return;
  requestAnimationFrame(() => document.getElementById('composer-input')?.focus({ preventScroll: true }));
}

/** Whether tree actions are possible in this chat now: not while a turn runs, not in another channel's chat. */
function useCanAct(): boolean {
  return useStore(chat, (c) => !c.streaming && !c.readOnly && !c.loading && Boolean(c.sessionId));
}

/** "‹ 2/3 ›": the message's place among its siblings; the arrows make a neighbour the active branch. */
export function VersionSwitcher({ versions, what }: { versions: MessageVersions; what: 'answer' | 'message' }) {
  const canAct = useCanAct();
  const { index, count, ids } = versions;
  const group = useRef<HTMLDivElement>(null);
  const used = useRef<'prev' | 'next' | null>(null);
  const go = (to: number, side: 'prev' | 'next') => {
    const id = ids[to - 1];
    if (id && turns.switchBranch(id)) used.current = side;
  };
  // At the first or last version the arrow just used turns off: focus moves to the other one.
  useEffect(() => {
    const side = used.current;
    used.current = null;
    const buttons = group.current?.querySelectorAll<HTMLButtonElement>('button');
    if (!side || !buttons || buttons.length < 2) return;
    const [prev, next] = [buttons[0]!, buttons[1]!];
    const from = side === 'prev' ? prev : next;
    if (from.disabled && document.activeElement !== (side === 'prev' ? next : prev)) (side === 'prev' ? next : prev).focus();
  }, [index]);
  return (
    <div class="versions" role="group" aria-label={`Versions of this ${what}`} ref={group}>
      <button type="button" class="msg-action versions-btn" aria-label="Previous version" title="Previous version" disabled={!canAct || index <= 1} onClick={() => go(index - 1, 'prev')}>
        <IconPrev />
      </button>
      <span class="versions-count" aria-hidden="true">
        {index}/{count}
      </span>
      <span class="sr-only">
        Version {index} of {count}
      </span>
      <button type="button" class="msg-action versions-btn" aria-label="Next version" title="Next version" disabled={!canAct || index >= count} onClick={() => go(index + 1, 'next')}>
        <IconNext />
      </button>
    </div>
  );
}

function CopyButton({ text, what }: { text: string; what: 'answer' | 'message' }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle');
  const timer = useRef(0);
  useEffect(() => () => clearTimeout(timer.current), []);
  const label = state === 'done' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy';
  return (
    <>
      <button
        type="button"
        class={`msg-action${state === 'done' ? ' done' : ''}`}
        aria-label={state === 'idle' ? `Copy ${what}` : label}
        title={`Copy ${what}`}
        onClick={() =>
          void copyText(text).then((ok) => {
            setState(ok ? 'done' : 'failed');
            clearTimeout(timer.current);
            timer.current = window.setTimeout(() => setState('idle'), 1600);
          })
        }
      >
        <IconCopy />
        <span class="msg-action-text">{label}</span>
      </button>
      <span class="sr-only" role="status">
        {state === 'idle' ? '' : label}
      </span>
    </>
  );
}

/** The row under an answer: versions, copy, regenerate. Continue sits with the "Stopped" note. */
export function AnswerActions({ m }: { m: ChatMessage }) {
  const canAct = useCanAct();
  // Another channel's chat (Telegram, …) is read here, never changed: copy only.
  const readOnly = useStore(chat, (c) => c.readOnly);
  const text = textOf(m);
  const failed = m.status === 'error' || Boolean(m.error) || m.kind === 'failure';
  if (m.status === 'streaming' || m.kind === 'setup' || m.kind === 'notice') return null;
  const regenerable = Boolean(m.id) && !failed && !readOnly;
  const versions = readOnly ? undefined : m.versions;
  if (!text && !regenerable && !versions) return null;
  return (
    <div class={`msg-actions${versions ? ' has-versions' : ''}`}>
      {versions ? <VersionSwitcher versions={versions} what="answer" /> : null}
      {text && !failed ? <CopyButton text={text} what="answer" /> : null}
      {regenerable ? (
        <button type="button" class="msg-action" aria-label="Regenerate answer" title="Regenerate answer" disabled={!canAct} onClick={() => focusComposerAfter(turns.regenerate(m))}>
          <IconRegenerate />
          <span class="msg-action-text">Regenerate</span>
        </button>
      ) : null}
    </div>
  );
}

/** "Continue" on a stopped answer that is the last message (spec §4.7 `continue`). */
export function ContinueButton({ m }: { m: ChatMessage }) {
  const canAct = useCanAct();
  const isLast = useStore(chat, (c) => c.messages[c.messages.length - 1]?.key === m.key);
  const readOnly = useStore(chat, (c) => c.readOnly);
  if (!m.id || m.status !== 'stopped' || !isLast || readOnly) return null;
  return (
    <button type="button" class="btn btn-small msg-continue" disabled={!canAct} onClick={() => focusComposerAfter(turns.continueAnswer(m))}>
      <IconContinue />
      Continue
    </button>
  );
}

/** The row under a sent message: versions, copy, edit. */
export function UserActions({ m, onEdit }: { m: ChatMessage; onEdit(): void }) {
  const canAct = useCanAct();
  const readOnly = useStore(chat, (c) => c.readOnly);
  const versions = readOnly ? undefined : m.versions;
  const text = textOf(m);
  return (
    <div class={`msg-actions${versions ? ' has-versions' : ''}`}>
      {versions ? <VersionSwitcher versions={versions} what="message" /> : null}
      {text ? <CopyButton text={text} what="message" /> : null}
      {m.id && !readOnly ? (
        <button type="button" class="msg-action" aria-label="Edit message" title="Edit message" disabled={!canAct} onClick={onEdit}>
          <IconPencil />
          <span class="msg-action-text">Edit</span>
        </button>
      ) : null}
    </div>
  );
}

/** A sent message being edited in place: Save & send starts a new branch, Cancel (or Esc) keeps it. */
export function EditMessage({ m, onDone }: { m: ChatMessage; onDone(sent: boolean): void }) {
  const [text, setText] = useState(textOf(m));
  const canAct = useCanAct();
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = `edit-${m.key}`;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight + 2, 320)}px`;
  }, [text]);
  const save = () => {
    if (!text.trim() || !canAct) return;
    if (turns.edit(m, text)) onDone(true);
  };
  return (
    <form
      class="msg-edit"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onDone(false);
        }
      }}
    >
      <label class="sr-only" for={id}>
        Edit your message
      </label>
      <textarea
        id={id}
        ref={ref}
        rows={2}
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <div class="msg-edit-actions">
        <button type="button" class="btn btn-small btn-ghost" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" class="btn btn-small btn-primary" disabled={!text.trim() || !canAct}>
          {'Save & send'}
        </button>
      </div>
    </form>
  );
}
