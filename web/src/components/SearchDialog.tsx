import { useEffect, useRef, useState } from 'preact/hooks';
import type { SearchHit } from '@protocol';
import { api } from '../api';
import { openSearchHit } from '../state/navigation';
import { app } from '../state/stores';
import { closeSearch } from '../state/ui';
import { useStore } from '../store';
import { shortTime } from '../time';
import { IconSearch } from './icons';
import { Highlighted } from './Message';
import { Modal } from './Modal';
import { channelLabel } from './Sidebar';
import './SearchDialog.css';

const DEBOUNCE_MS = 150;

/** The match text around its first hit, so the hit is visible in two lines. */
function snippet(text: string, q: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const i = flat.toLowerCase().indexOf(q.toLowerCase());
  if (i <= 50) return flat;
  const start = flat.lastIndexOf(' ', i - 40);
  return `…${flat.slice(start > 0 ? start + 1 : i - 40)}`;
}

function SearchPanel() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [state, setState] = useState<'idle' | 'loading' | 'done' | 'error'>('idle');
  const [error, setError] = useState('');
  const [active, setActive] = useState(0);
  const [shownQ, setShownQ] = useState('');
  const listRef = useRef<HTMLUListElement>(null);

  // Results as you type: debounced, and a newer query cancels the older request.
  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setHits([]);
      setState('idle');
      return;
    }
    setState('loading');
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      api.search(query, ctl.signal).then(
        (res) => {
          setHits(res);
          setShownQ(query);
          setActive(0);
          setState('done');
        },
        (err: Error) => {
          if (err.name === 'AbortError') return;
          setError(err.message);
          setState('error');
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [q]);

  useEffect(() => {
    listRef.current?.querySelector(`#search-hit-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const open = (h: SearchHit | undefined) => {
    if (h) openSearchHit(h.id, shownQ, h.title);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, hits.length - 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
    else if (e.key === 'Enter') open(hits[active]);
    else return;
    e.preventDefault();
  };

  const query = q.trim();
  const expanded = hits.length > 0 && Boolean(query);
  return (
    <div class="search">
      <div class="search-box">
        <IconSearch />
        <input
          type="text"
          role="combobox"
          aria-label="Search conversations"
          aria-expanded={expanded ? 'true' : 'false'}
          aria-controls="search-results"
          aria-autocomplete="list"
          aria-activedescendant={expanded ? `search-hit-${active}` : undefined}
          placeholder="Search all messages…"
          autoFocus
          autocomplete="off"
          spellcheck={false}
          value={q}
          onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={onKeyDown}
        />
        <kbd aria-hidden="true">Esc</kbd>
      </div>
      <ul id="search-results" class="search-results" role="listbox" aria-label="Matching conversations" ref={listRef}>
        {query
          ? hits.map((h, i) => {
              const chip = channelLabel(h.channel);
              return (
                <li
                  key={h.id}
                  id={`search-hit-${i}`}
                  role="option"
                  aria-selected={i === active ? 'true' : 'false'}
                  class={i === active ? 'hit active' : 'hit'}
                  onMouseMove={() => i !== active && setActive(i)}
                  onClick={() => open(h)}
                >
                  <div class="hit-top">
                    <span class="hit-title">{h.title || 'Untitled'}</span>
                    {chip ? <span class="chip">{chip}</span> : null}
                    <span class="hit-time">{shortTime(h.last_activity)}</span>
                  </div>
                  <div class="hit-snippet">
                    <span class="hit-role">{h.match_role === 'assistant' ? 'PocketPaw: ' : 'You: '}</span>
                    <Highlighted text={snippet(h.match, shownQ)} q={shownQ} />
                  </div>
                </li>
              );
            })
          : null}
      </ul>
      <p class="search-status" role="status">
        {!query
          ? 'Type to search every message. ↑ ↓ to choose, Enter to open.'
          : state === 'loading' && hits.length === 0
            ? 'Searching…'
            : state === 'error'
              ? `Search failed: ${error}`
              : state === 'done' && hits.length === 0
                ? `No conversation mentions “${query}”.`
                : state === 'done'
                  ? `${hits.length}${hits.length === 20 ? '+' : ''} conversation${hits.length === 1 ? '' : 's'}`
                  : ''}
      </p>
    </div>
  );
}

export function SearchDialog() {
  const open = useStore(app, (a) => a.searchOpen);
  if (!open) return null;
  return (
    <Modal onClose={closeSearch} class="modal-search" label="Search conversations">
      <SearchPanel />
    </Modal>
  );
}
