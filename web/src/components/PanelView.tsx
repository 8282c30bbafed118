import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate, panelHref } from '../router';
import { lastChatHash, panelInfo, PANELS } from '../state/panels';
import { IconClose } from './icons';
import { NavToggle } from './NavToggle';
import './Panels.css';

type Loader = () => Promise<{ default: ComponentType }>;

/** Each panel is its own chunk, fetched the first time it opens: the first paint does not wait for them. */
const LOADERS: Record<string, Loader> = {
  memory: () => import('../panels/memory'),
  reminders: () => import('../panels/reminders'),
  intentions: () => import('../panels/intentions'),
  identity: () => import('../panels/identity'),
  audit: () => import('../panels/audit'),
  health: () => import('../panels/health'),
  files: () => import('../panels/files'),
  powers: () => import('../panels/powers'),
  skills: () => import('../panels/skills'),
  mcp: () => import('../panels/mcp'),
  channels: () => import('../panels/channels'),
  webhooks: () => import('../panels/webhooks'),
};

const loaded = new Map<string, ComponentType>();

function useLoadedPanel(name: string): { Comp: ComponentType | null; error: string | null; retry(): void } {
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setError(null);
    const load = LOADERS[name];
    if (!load || loaded.has(name)) return;
    let live = true;
    load().then(
      (m) => {
        loaded.set(name, m.default);
        if (live) setTick((n) => n + 1);
      },
      () => {
        if (live) setError('This panel could not be loaded. Check that the PocketPaw server is running, then try again or reload the page.');
      },
    );
    return () => {
      live = false;
    };
  }, [name, attempt]);
  return { Comp: loaded.get(name) ?? null, error, retry: () => setAttempt((n) => n + 1) };
}

function UnknownPanel({ name }: { name: string }) {
  return (
    <div class="panel-empty">
      <p>There is no panel called “{name}”. Pick one of these:</p>
      <ul class="panel-index">
        {PANELS.map((p) => (
          <li key={p.name}>
            <a href={panelHref(p.name)}>{p.title}</a> — {p.help}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A tool panel (`#/panel/<name>`) in place of the chat, which stays as it was underneath. */
export function PanelView({ name }: { name: string }) {
  const info = panelInfo(name);
  const { Comp, error, retry } = useLoadedPanel(name);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // A panel opened from the sidebar, a link or the palette: reading starts at its title. The palette
  // gives focus back to where it was (often the message box) before the panel opens, and the chat is
  // hidden under the panel, so only a dialog still open keeps its focus.
  useEffect(() => {
    if (!document.activeElement?.closest('dialog[open], [role="dialog"]')) headingRef.current?.focus({ preventScroll: true });
  }, [name]);

  useEffect(() => {
    const before = document.title;
    document.title = `${info?.title ?? 'Tools'} · PocketPaw`;
    return () => {
      document.title = before;
    };
  }, [info?.title]);

  return (
    <main class="panel-view" id="panel-main" aria-labelledby="panel-title" data-panel={name}>
      <header class="panel-head">
        <NavToggle />
        <div class="panel-title-wrap">
          <h1 id="panel-title" class="panel-title" tabIndex={-1} ref={headingRef}>
            {info?.title ?? 'Tools'}
          </h1>
          {info ? <p class="panel-help">{info.help}</p> : null}
        </div>
        <button type="button" class="icon-btn" aria-label="Close the panel and go back to the chat" title="Back to the chat" onClick={() => navigate(lastChatHash())}>
          <IconClose />
        </button>
      </header>
      <div class="panel-body">
        <div class="panel-inner">
          {!info ? (
            <UnknownPanel name={name} />
          ) : error ? (
            <div class="panel-error" role="alert">
              <p>{error}</p>
              <button type="button" class="btn" onClick={retry}>
                Try again
              </button>
            </div>
          ) : Comp ? (
            <Comp key={name} />
          ) : (
            <p class="muted" role="status">
              Loading…
            </p>
          )}
        </div>
      </div>
    </main>
  );
}
