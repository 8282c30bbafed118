import { useEffect, useState } from 'preact/hooks';
import { toast } from '../state/ui';
import { memoryApi, type MemoryEntry } from './api';
import { Empty, ErrorNote, Loading, removeWith, when } from './common';

const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** Long-term memory (spec §3.4, §8): search, add, delete. */
export default function MemoryPanel() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<MemoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      memoryApi.list(q).then(
        (list) => {
          if (!live) return;
          setItems(list);
          setError(null);
        },
        (err: Error) => live && setError(err.message),
      );
    }, q ? 200 : 0);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q, reload]);

  const add = async (e: Event) => {
    e.preventDefault();
    const content = text.trim();
    if (!content) {
      setAddError('Type something to remember first.');
      return;
    }
    setBusy(true);
    setAddError(null);
    try {
      const saved = await memoryApi.add(content);
      setText('');
      toast(saved.added ? 'Saved to memory.' : 'That is already in memory.');
      setQ('');
      setReload((n) => n + 1);
    } catch (err) {
      setAddError(`${(err as Error).message} Nothing was saved; try again.`);
    } finally {
      setBusy(false);
    }
  };

  const remove = (m: MemoryEntry) => removeWith(memoryApi.remove, m, setItems, 'Memory deleted.', 'Could not delete that memory');

  return (
    <>
      <section class="pn-section" aria-labelledby="mem-add">
        <h2 id="mem-add">Add a memory</h2>
        <form class="pn-form" onSubmit={add} aria-label="Add a memory">
          <div class="pn-grow">
            <label for="mem-text" class="sr-only">
              Something to remember
            </label>
            <textarea
              id="mem-text"
              placeholder="For example: My sister’s birthday is on 12 May. #family"
              value={text}
              onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void add(e);
              }}
              aria-describedby="mem-text-help"
            />
            <p class="field-help" id="mem-text-help">
              The agent reads these in every chat. Words with # become tags.
            </p>
          </div>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save to memory'}
          </button>
        </form>
        {addError ? <ErrorNote message={addError} /> : null}
      </section>
      <section class="pn-section" aria-labelledby="mem-list">
        <h2 id="mem-list">Saved memories</h2>
        <div class="pn-toolbar">
          <label for="mem-search" class="sr-only">
            Search memories
          </label>
          <input id="mem-search" type="search" class="pn-grow" placeholder="Search memories…" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
          <span class="pn-status" role="status">
            {items ? `${items.length} ${q.trim() ? 'found' : items.length === 1 ? 'memory' : 'memories'}` : ''}
          </span>
        </div>
        {error ? (
          <ErrorNote what="Could not load memories" message={error} retry={() => setReload((n) => n + 1)} />
        ) : items === null ? (
          <Loading what="memories" />
        ) : items.length === 0 ? (
          <Empty>
            {q.trim() ? (
              <p>No memory matches “{q.trim()}”. Try fewer or other words.</p>
            ) : (
              <>
                <p>Nothing saved yet.</p>
                <p>Add something above, or tell the agent “remember that …” in a chat.</p>
              </>
            )}
          </Empty>
        ) : (
          <ul class="pn-list" aria-label="Memories">
            {items.map((m) => (
              <li class="pn-item" key={m.id} data-memory-id={m.id}>
                <div class="pn-item-main">
                  <p class="pn-item-text">{m.content}</p>
                  <p class="pn-meta">
                    <span>{when(m.timestamp)}</span>
                    {m.tags.map((t) => (
                      <span class="pn-tag" key={t}>
                        #{t}
                      </span>
                    ))}
                  </p>
                </div>
                <div class="pn-actions">
                  <button type="button" class="btn btn-small btn-ghost" aria-label={`Delete memory “${short(m.content)}”`} onClick={() => void remove(m)}>
                    Delete
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
