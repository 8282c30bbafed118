import { useEffect, useRef, useState } from 'preact/hooks';
import { TITLE_MAX } from '@protocol';
import { renameSession } from '../state/sessions';
import { app } from '../state/stores';
import './RenameInput.css';

let errSeq = 0;

/**
 * Inline title editor: Enter saves (POST /api/sessions/{id}/title), Escape cancels, an empty
 * title is refused with a message; leaving the field saves a changed, non-empty title.
 */
export function RenameInput({ id, initial, where }: { id: string; initial: string; where: 'sidebar' | 'header' }) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  const busy = useRef(false);
  const closed = useRef(false);
  const [errId] = useState(() => `rename-error-${++errSeq}`);

  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  const close = () => {
    if (closed.current) return;
    closed.current = true;
    app.set({ renaming: null });
    // Back to where the user was: the row (or the title) of this session.
    requestAnimationFrame(() => {
      const sel = where === 'sidebar' ? `a[data-session-id="${CSS.escape(id)}"]` : '.chat-title';
      document.querySelector<HTMLElement>(sel)?.focus();
    });
  };

  const save = async () => {
    if (busy.current || closed.current) return;
    if (value.trim() === initial.trim() && value.trim() !== '') return close();
    busy.current = true;
    const err = await renameSession(id, value);
    busy.current = false;
    if (err) {
      setError(err);
      ref.current?.focus();
      return;
    }
    close();
  };

  return (
    <div class={`rename rename-${where}`}>
      <input
        ref={ref}
        class="rename-input"
        type="text"
        aria-label="Conversation title"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? errId : undefined}
        maxLength={TITLE_MAX + 50}
        value={value}
        onInput={(e) => {
          setValue((e.currentTarget as HTMLInputElement).value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            close();
          }
        }}
        onBlur={() => {
          if (busy.current || closed.current) return;
          if (value.trim() && value.trim() !== initial.trim()) void save();
          else close();
        }}
      />
      {error ? (
        <div id={errId} class="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
