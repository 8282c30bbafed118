/**
 * The chat header's model menu (docs/api.md §4.7): "Default (<the settings model>)" or a model of
 * a configured provider, for this chat only (state: state/chat-model.ts).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { configuredProviders, defaultModel, modelsApi, PROVIDER_LABELS, splitChatModel, type ModelOption, type ProviderId } from '../api-models';
import { chatModel, setSessionModel } from '../state/chat-model';
import { app, chat, sessions } from '../state/stores';
import { useStore } from '../store';
import './ModelPicker.css';

/** The model of a chat as shown in the sidebar: the id without the provider. */
export function shortModelName(value: string): string {
  return splitChatModel(value)?.model ?? value;
}

type Lists = Partial<Record<ProviderId, ModelOption[]>>;

/** The models of every configured provider (lists that fail are left out). */
function useLists(): Lists {
  const settings = useStore(app, (a) => a.settings);
  const [lists, setLists] = useState<Lists>({});
  const providers = configuredProviders(settings).join(',');
  useEffect(() => {
    let live = true;
    setLists({});
    for (const p of providers ? (providers.split(',') as ProviderId[]) : []) {
      modelsApi.list(p).then(
        (l) => live && setLists((cur) => ({ ...cur, [p]: l.models })),
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
  }, [providers]);
  return lists;
}

interface Choice {
  value: string | null;
  label: string;
  group?: ProviderId;
}

const optionId = (i: number) => `model-picker-opt-${i}`;

/**
 * A button that opens a listbox (the options exist only while it is open, so the page has no
 * hidden options). Arrow keys, Home and End move, Enter or Space chooses, Escape closes.
 */
export function ModelPicker() {
  const settings = useStore(app, (a) => a.settings);
  const sessionId = useStore(chat, (c) => c.sessionId);
  const draft = useStore(chat, (c) => c.draft);
  const readOnly = useStore(chat, (c) => c.readOnly);
  const saved = useStore(sessions, (st) => (sessionId ? st.items.find((s) => s.id === sessionId)?.model ?? null : null));
  const picker = useStore(chatModel, (s) => s);
  const lists = useLists();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const box = useRef<HTMLDivElement>(null);

  const stored = Boolean(sessionId) && !draft;
  const current = !stored
    ? picker.pending && (!picker.pending.sessionId || picker.pending.sessionId === sessionId) ? picker.pending.model : null
    : picker.sent?.sessionId === sessionId ? picker.sent.model : saved;

  const def = settings ? defaultModel(settings) : null;
  const choices: Choice[] = [{ value: null, label: def?.model ? `Default (${def.model})` : 'Default' }];
  const groups = (Object.keys(PROVIDER_LABELS) as ProviderId[]).filter((p) => lists[p]?.length);
  for (const p of groups) {
    for (const m of lists[p]!) choices.push({ value: `${p}:${m.id}`, label: m.label && m.label !== m.id ? m.label : m.id, group: p });
  }
  if (current && !choices.some((c) => c.value === current)) {
    choices.splice(1, 0, { value: current, label: shortModelName(current) });
  }
  const selected = Math.max(0, choices.findIndex((c) => c.value === current));

  useEffect(() => {
    if (!open) return;
    box.current?.focus();
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!box.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown, true);
    return () => document.removeEventListener('pointerdown', onDown, true);
  }, [open]);

  useEffect(() => {
    if (open) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  }, [open, active]);

  // A new chat (or another chat) closes the list.
  useEffect(() => setOpen(false), [sessionId]);

  if (!settings || readOnly) return null;

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const choose = (value: string | null) => {
    close(true);
    if (value === current) return;
    if (stored && sessionId) setSessionModel(sessionId, value);
    else chatModel.set({ pending: value === null ? null : { sessionId, model: value } });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const last = choices.length - 1;
    if (e.key === 'ArrowDown') setActive((i) => Math.min(last, i + 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (e.key === 'Home') setActive(0);
    else if (e.key === 'End') setActive(last);
    else if (e.key === 'Enter' || e.key === ' ') choose(choices[active]!.value);
    else if (e.key === 'Escape') close(true);
    else if (e.key === 'Tab') {
      close(false);
      return;
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const shown = current ? shortModelName(current) : def?.model ? `Default (${def.model})` : 'Default model';
  const renderOption = (c: Choice, i: number) => (
    <div
      key={c.value ?? ''}
      id={optionId(i)}
      role="option"
      aria-selected={i === selected ? 'true' : 'false'}
      class={`model-picker-option${i === active ? ' active' : ''}`}
      onPointerMove={() => setActive(i)}
      onClick={() => choose(c.value)}
    >
      {c.label}
    </div>
  );

  return (
    <div class="model-picker">
      <button
        ref={button}
        type="button"
        class="model-picker-btn"
        aria-haspopup="listbox"
        aria-expanded={open ? 'true' : 'false'}
        aria-label={`Model for this chat: ${current ?? `default${def?.model ? `, ${def.model}` : ''}`}`}
        title={current ? `This chat uses ${current}` : `This chat uses the default model${def?.model ? ` (${def.provider}:${def.model})` : ''}`}
        onClick={() => {
          if (open) close(false);
          else {
            setActive(selected);
            setOpen(true);
          }
        }}
      >
        <span class="model-picker-value">{shown}</span>
        <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M6 9l6 6 6-6" />
        </svg>
      </button>
      {open ? (
        <div
          ref={box}
          class="model-picker-pop"
          role="listbox"
          aria-label="Model for this chat"
          tabIndex={-1}
          aria-activedescendant={optionId(active)}
          onKeyDown={onKeyDown}
        >
          {choices.map((c, i) => (c.group ? null : renderOption(c, i)))}
          {groups.map((p) => (
            <div key={p} role="group" aria-label={PROVIDER_LABELS[p]} class="model-picker-group">
              {choices.map((c, i) => (c.group === p ? renderOption(c, i) : null))}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
