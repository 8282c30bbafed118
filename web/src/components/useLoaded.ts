import { useCallback, useEffect, useRef, useState, type Dispatch, type StateUpdater } from 'preact/hooks';

export interface Loaded<T> {
  data: T | null;
  /** For a change the panel makes itself (an item deleted, a save), without asking the server again. */
  setData: Dispatch<StateUpdater<T | null>>;
  error: string | null;
  setError: Dispatch<StateUpdater<string | null>>;
  refresh: () => Promise<void>;
}

/**
 * Data a panel loads from the server when it opens, again whenever one of `deps` changes, and on
 * `refresh()`: null until the first answer, and the error text when the last load failed. Answers
 * that arrive after the panel closed are dropped.
 */
export function useLoaded<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useRef(true);
  const loadRef = useRef(load);
  loadRef.current = load;

  const refresh = useCallback(async () => {
    try {
      const value = await loadRef.current();
      if (live.current) {
        setData(value);
        setError(null);
      }
    } catch (err) {
      if (live.current) setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    live.current = true;
    void refresh();
    return () => {
      live.current = false;
    };
  }, [refresh, ...deps]);

  return { data, setData, error, setError, refresh };
}
