import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/**
 * Data a panel loads from the server when it opens and again on `refresh()`: null until the
 * first answer, and the error text when the last load failed. Answers that arrive after the
 * panel closed are dropped.
 */
export function useLoaded<T>(load: () => Promise<T>): { data: T | null; error: string | null; refresh: () => Promise<void> } {
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
  }, [refresh]);

  return { data, error, refresh };
}
