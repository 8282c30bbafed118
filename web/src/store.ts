import { useEffect, useReducer, useRef } from 'preact/hooks';

/** A minimal observable value: the whole state management of the dashboard. */
export interface Store<T> {
  get(): T;
  set(patch: Partial<T> | ((s: T) => Partial<T>)): void;
  subscribe(fn: () => void): () => void;
}

export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const subs = new Set<() => void>();
  return {
    get: () => state,
    set(patch) {
      const p = typeof patch === 'function' ? patch(state) : patch;
      state = { ...state, ...p };
      for (const fn of [...subs]) fn();
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/** Re-renders the component when the selected slice changes (by identity). */
export function useStore<T, S>(store: Store<T>, select: (s: T) => S): S {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const value = select(store.get());
  const last = useRef(value);
  last.current = value;
  const selectRef = useRef(select);
  selectRef.current = select;
  useEffect(() => {
    const check = () => {
      if (selectRef.current(store.get()) !== last.current) force(0);
    };
    const off = store.subscribe(check);
    check(); // a change between render and subscription
    return off;
  }, [store]);
  return value;
}
