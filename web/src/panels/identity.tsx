import { useState } from 'preact/hooks';
import { identityApi, IDENTITY_KEYS, type Identity, type IdentityKey } from './api';
import { ErrorNote, Loading, useLoaded } from './common';

const FILES: Record<IdentityKey, { label: string; file: string; help: string }> = {
  identity_file: { label: 'Identity', file: 'IDENTITY.md', help: 'Who the agent is: its name and role.' },
  soul_file: { label: 'Soul', file: 'SOUL.md', help: 'Its values and personality.' },
  style_file: { label: 'Style', file: 'STYLE.md', help: 'How it writes: tone, length, formatting.' },
  instructions_file: { label: 'Instructions', file: 'INSTRUCTIONS.md', help: 'Standing orders it follows in every chat.' },
  user_file: { label: 'About you', file: 'USER.md', help: 'What it should know about you.' },
};

/** The identity files (spec §3.8): read and edit; changes apply from the next message. */
export default function IdentityPanel() {
  const [draft, setDraft] = useState<Identity | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  // The text as the server has it; the textareas edit a draft of it.
  const { data: saved, setData: setSaved, error, refresh: load } = useLoaded(async () => {
    const id = await identityApi.get();
    setDraft(id);
    return id;
  });

  if (error) return <ErrorNote what="Could not read the identity files" message={error} retry={() => void load()} />;
  if (!draft || !saved) return <Loading what="identity files" />;

  const changed = IDENTITY_KEYS.filter((k) => draft[k] !== saved[k]);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!changed.length) return;
    setBusy(true);
    setSaveError(null);
    setStatus('');
    try {
      const patch = Object.fromEntries(changed.map((k) => [k, draft[k]]));
      const res = await identityApi.put(patch);
      setSaved({ ...saved, ...patch });
      setStatus(`Saved ${res.updated.join(', ')}. The agent uses it from the next message.`);
    } catch (err) {
      setSaveError(`${(err as Error).message} Your text is still here; try saving again.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} aria-label="Identity files">
      {IDENTITY_KEYS.map((k) => (
        <section class="pn-section" key={k}>
          <div class="field">
            <label for={`id-${k}`}>
              {FILES[k].label} <span class="muted small">({FILES[k].file})</span>
            </label>
            <p class="field-help" id={`id-${k}-help`}>
              {FILES[k].help}
              {draft[k] !== saved[k] ? ' — not saved yet' : ''}
            </p>
            <textarea
              id={`id-${k}`}
              rows={6}
              spellcheck={true}
              aria-describedby={`id-${k}-help`}
              value={draft[k]}
              onInput={(e) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLTextAreaElement).value })}
            />
          </div>
        </section>
      ))}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || changed.length === 0}>
          {busy ? 'Saving…' : changed.length ? `Save ${changed.length} change${changed.length === 1 ? '' : 's'}` : 'No changes'}
        </button>
        <button type="button" class="btn btn-ghost" disabled={busy || changed.length === 0} onClick={() => setDraft(saved)}>
          Undo changes
        </button>
        <span class="save-state" role="status">
          {status}
        </span>
      </div>
      {saveError ? <ErrorNote message={saveError} /> : null}
    </form>
  );
}
