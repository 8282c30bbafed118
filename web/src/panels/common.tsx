/** Pieces every tool panel uses: error and empty states, times in plain words. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState, type Dispatch, type StateUpdater } from 'preact/hooks';
import { toast } from '../state/ui';
import './panels.css';

export { useLoaded } from '../components/useLoaded';

export function ErrorNote({ message, retry, what }: { message: string; retry?: () => void; what?: string }) {
  return (
    <div class="pn-error" role="alert">
      <p>
        {what ? `${what}: ` : ''}
        {message}
      </p>
      {retry ? (
        <button type="button" class="btn btn-small" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="pn-empty">{children}</div>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="pn-loading muted" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/**
 * Deletes an item on the server, then drops it from the list and toasts `done`; on failure
 * toasts "`failed`: <the server's reason>". Says whether it worked.
 */
export async function removeWith<T extends { id: string }>(
  remove: (id: string) => Promise<void>,
  item: T,
  setItems: Dispatch<StateUpdater<T[] | null>>,
  done: string,
  failed: string,
): Promise<boolean> {
  try {
    await remove(item.id);
    setItems((cur) => cur?.filter((x) => x.id !== item.id) ?? null);
    toast(done);
    return true;
  } catch (err) {
    toast(`${failed}: ${(err as Error).message}`, 'error');
    return false;
  }
}

/** "3 Dec, 14:05" (the year when it is not this one). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const now = new Date();
  return d.toLocaleString(undefined, {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', ...(d.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
}

/** "in 4 min 05 s", "in 2 h 10 min", "due now". */
export function timeLeft(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) return '';
  if (ms <= 0) return 'due now';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `in ${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `in ${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `in ${h} h ${m % 60} min`;
  return `in ${Math.floor(h / 24)} days`;
}

/** The time now, ticking every `ms` while the component is on screen. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
