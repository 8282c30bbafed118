/**
 * The chat header's model menu (docs/api.md §4.7): "Default (<the settings model>)" or a model of
 * a configured provider, for this chat only. A stored chat changes at once (WebSocket
 * `set_session_model`); a new chat keeps the choice until its first answer names its session
 * (`stream_end` with `session_id`), then sends it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ServerFrame } from '@protocol';
import { configuredProviders, defaultModel, modelsApi, PROVIDER_LABELS, splitChatModel, type ModelOption, type ProviderId } from '../api-models';
import { link } from '../state/socket';
import { app, chat, sessions } from '../state/stores';
import { createStore, useStore } from '../store';
import './ModelPicker.css';

interface PickerState {
  /** A new chat's choice, sent once the chat is stored. `sessionId`: the draft's id, when known. */
  pending: { sessionId: string | null; model: string | null } | null;
  /** A stored chat's choice on its way to the server, until `session_updated` confirms it. */
  sent: { sessionId: string; model: string | null } | null;
}

export const modelPicker = createStore<PickerState>({ pending: null, sent: null });

/** The model of a chat as shown in the sidebar: the id without the provider. */
export function shortModelName(value: string): string {
  return splitChatModel(value)?.model ?? value;
}

function send(sessionId: string, model: string | null): void {
  link.send({ action: 'set_session_model', session_id: sessionId, model });
}

link.listen((f: ServerFrame) => {
  if (f.type === 'stream_end') {
    const p = modelPicker.get().pending;
    const sid = f.session_id;
    if (!p || !sid || (p.sessionId && p.sessionId !== sid)) return;
    modelPicker.set({ pending: null, sent: { sessionId: sid, model: p.model } });
    send(sid, p.model);
  } else if (f.type === 'session_updated') {
    const s = modelPicker.get().sent;
    if (s && f.session?.id === s.sessionId && (f.session.model ?? null) === s.model) modelPicker.set({ sent: null });
  } else if (f.type === 'error' && f.action === 'set_session_model') {
    modelPicker.set({ sent: null });
  }
});

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

export function ModelPicker() {
  const settings = useStore(app, (a) => a.settings);
  const sessionId = useStore(chat, (c) => c.sessionId);
  const draft = useStore(chat, (c) => c.draft);
  const readOnly = useStore(chat, (c) => c.readOnly);
  const saved = useStore(sessions, (st) => (sessionId ? st.items.find((s) => s.id === sessionId)?.model ?? null : null));
  const picker = useStore(modelPicker, (s) => s);
  const lists = useLists();
  if (!settings || readOnly) return null;

  const stored = Boolean(sessionId) && !draft;
  const current = !stored
    ? picker.pending && (!picker.pending.sessionId || picker.pending.sessionId === sessionId) ? picker.pending.model : null
    : picker.sent?.sessionId === sessionId ? picker.sent.model : saved;

  const def = defaultModel(settings);
  const defLabel = def?.model ? `Default (${def.model})` : 'Default';
  const groups = (Object.keys(PROVIDER_LABELS) as ProviderId[]).filter((p) => lists[p]?.length);
  const inLists = current ? groups.some((p) => lists[p]!.some((m) => `${p}:${m.id}` === current)) : true;

  const choose = (value: string) => {
    const model = value || null;
    if (stored && sessionId) {
      modelPicker.set({ sent: { sessionId, model } });
      send(sessionId, model);
    } else {
      modelPicker.set({ pending: model === null ? null : { sessionId, model } });
    }
  };

  return (
    <div class="model-picker">
      <select
        class="model-picker-select"
        aria-label="Model for this chat"
        title={current ? `This chat uses ${current}` : `This chat uses the default model${def?.model ? ` (${def.provider}:${def.model})` : ''}`}
        value={current ?? ''}
        onChange={(e) => choose((e.currentTarget as HTMLSelectElement).value)}
      >
        <option value="">{defLabel}</option>
        {!inLists && current ? <option value={current}>{shortModelName(current)}</option> : null}
        {groups.map((p) => (
          <optgroup key={p} label={PROVIDER_LABELS[p]}>
            {lists[p]!.map((m) => (
              <option key={m.id} value={`${p}:${m.id}`}>
                {m.label && m.label !== m.id ? m.label : m.id}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}
