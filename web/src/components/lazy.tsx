import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { toast } from '../state/ui';

/**
 * A component in its own chunk, fetched the first time it is shown, so the first page load does
 * not pay for dialogs most visits never open (Settings, the command palette). Render it only
 * when it should be on screen; until its chunk arrives it renders nothing.
 */
export function lazyComponent(load: () => Promise<ComponentType>, what: string): ComponentType {
  let loaded: ComponentType | null = null;
  let pending: Promise<ComponentType> | null = null;
  return function Lazy() {
    const [, setTick] = useState(0);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      pending ??= load();
      pending.then(
        (c) => {
          loaded = c;
          if (live) setTick((n) => n + 1);
        },
        () => {
          pending = null; // the next opening tries again
          if (live) toast(`${what} could not be loaded. Check that the PocketPaw server is running, then try again.`, 'error');
        },
      );
      return () => {
        live = false;
      };
    }, []);
    const C = loaded;
    return C ? <C /> : null;
  };
}
