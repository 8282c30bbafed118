/**
 * Hash routes: `#/` a new chat, `#/session/<id>` an open session, `#/panel/<name>` a tool panel
 * (memory, reminders, …). Reload and back just work.
 */
export type Route = { kind: 'new' } | { kind: 'session'; id: string } | { kind: 'panel'; name: string };

export function parseRoute(hash: string = location.hash): Route {
  const m = /^#\/(session|panel)\/(.+)$/.exec(hash);
  if (m) {
    try {
      const value = decodeURIComponent(m[2]!);
      return m[1] === 'panel' ? { kind: 'panel', name: value } : { kind: 'session', id: value };
    } catch {
      return { kind: 'new' };
    }
  }
  return { kind: 'new' };
}

export function sessionHref(id: string): string {
  return `#/session/${encodeURIComponent(id)}`;
}

export function panelHref(name: string): string {
  return `#/panel/${encodeURIComponent(name)}`;
}

/** A new history entry (a click on a session, a search hit). */
export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

/** Same entry, new URL (a new chat that just got its first message). No hashchange event. */
export function replaceRoute(hash: string): void {
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
}

export function onRouteChange(fn: (r: Route) => void): void {
  window.addEventListener('hashchange', () => fn(parseRoute()));
}
