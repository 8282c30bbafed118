import { Component, type JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { SessionSummary } from '@protocol';
import { sessionHref } from '../router';
import { newChat } from '../state/navigation';
import { confirmDelete, exportSession, loadMore } from '../state/sessions';
import { app, chat, sessions } from '../state/stores';
import { openSearch, openSettings, setNavOpen } from '../state/ui';
import { useStore } from '../store';
import { groupOf, type Group } from '../time';
import { IconClose, IconDownload, IconMore, IconPencil, IconPlus, IconSearch, IconSettings, IconTrash, PawLogo } from './icons';
import { openMenu, type MenuItem } from './Menu';
import { PanelNav } from './PanelNav';
import { RenameInput } from './RenameInput';
import './Sidebar.css';

export const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const modKey = isMac ? '⌘' : 'Ctrl';

const CHANNELS: Record<string, string> = {
  telegram: 'Telegram', discord: 'Discord', slack: 'Slack', whatsapp: 'WhatsApp', signal: 'Signal', matrix: 'Matrix',
  teams: 'Teams', google_chat: 'Google Chat', webhook: 'Webhook', cli: 'Terminal', system: 'System',
};

export function channelLabel(channel: string): string | null {
  if (!channel || channel === 'websocket') return null;
  return CHANNELS[channel] ?? channel;
}

/** 12345 → "12,345" without Intl: its first use costs tens of milliseconds at start-up. */
function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function startRename(id: string, where: 'sidebar' | 'header'): void {
  app.set({ renaming: { id, where } });
}

export function sessionMenu(id: string, where: 'sidebar' | 'header'): MenuItem[] {
  return [
    { label: 'Rename', icon: IconPencil, onSelect: () => startRename(id, where) },
    { label: 'Export as Markdown', icon: IconDownload, onSelect: () => void exportSession(id, 'md') },
    { label: 'Export as JSON', icon: IconDownload, onSelect: () => void exportSession(id, 'json') },
    { label: 'Delete', icon: IconTrash, danger: true, onSelect: () => confirmDelete(id) },
  ];
}

interface RowProps {
  s: SessionSummary;
  active: boolean;
  editing: boolean;
}

/** One session. Pure: re-renders only when its summary, highlight or edit state changes. */
class Row extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    return next.s !== this.props.s || next.active !== this.props.active || next.editing !== this.props.editing;
  }

  override render({ s, active, editing }: RowProps) {
    const title = s.title || 'Untitled';
    if (editing) {
      return (
        <li class="row editing">
          <RenameInput id={s.id} initial={title} where="sidebar" />
        </li>
      );
    }
    const chip = channelLabel(s.channel);
    return (
      <li class={active ? 'row active' : 'row'}>
        <a
          class="row-link"
          href={sessionHref(s.id)}
          data-session-id={s.id}
          aria-current={active ? 'page' : undefined}
          aria-keyshortcuts="F2"
          title={title}
          onDblClick={(e) => {
            e.preventDefault();
            startRename(s.id, 'sidebar');
          }}
          onKeyDown={(e) => {
            if (e.key === 'F2') {
              e.preventDefault();
              e.stopPropagation();
              startRename(s.id, 'sidebar');
            }
          }}
        >
          <span class="row-title">{title}</span>
          {s.model ? <span class="row-model" title={`Model: ${s.model}`}>{s.model.slice(s.model.indexOf(':') + 1)}</span> : null}
          {chip ? <span class="chip">{chip}</span> : null}
        </a>
        <button
          type="button"
          class="row-menu"
          aria-label={`Options for “${title}”`}
          aria-haspopup="menu"
          aria-expanded="false"
          onClick={(e) => openMenu(e.currentTarget as HTMLElement, `Options for ${title}`, sessionMenu(s.id, 'sidebar'))}
        >
          <IconMore />
        </button>
      </li>
    );
  }
}

const GROUP_IDS: Record<Group, string> = { Today: 'g-today', Yesterday: 'g-yesterday', 'Previous 7 days': 'g-week', Older: 'g-older' };

function SessionList() {
  const st = useStore(sessions, (s) => s);
  const activeId = useStore(chat, (c) => (c.draft ? null : c.sessionId));
  const renaming = useStore(app, (a) => (a.renaming?.where === 'sidebar' ? a.renaming.id : null));
  const scrollRef = useRef<HTMLElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);

  // Infinite scroll: the next page loads when the end of the list comes near. After each page the
  // sentinel is observed afresh, so a page that did not fill the list asks for the next one
  // (without measuring layout ourselves).
  const io = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    const root = scrollRef.current;
    const sentinel = sentinelRef.current;
    if (!root || !sentinel) return;
    io.current = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    }, { root, rootMargin: '0px 0px 600px 0px' });
    io.current.observe(sentinel);
    return () => io.current?.disconnect();
  }, []);

  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!io.current || !sentinel || st.loading || st.done || !st.loaded || st.error) return;
    io.current.unobserve(sentinel);
    io.current.observe(sentinel);
  }, [st.items.length, st.loading, st.done, st.loaded, st.error]);

  const now = new Date();
  const groups: { group: Group; rows: JSX.Element[] }[] = [];
  for (const s of st.items) {
    const g = groupOf(s.last_activity, now);
    let bucket = groups[groups.length - 1];
    if (!bucket || bucket.group !== g) {
      bucket = { group: g, rows: [] };
      groups.push(bucket);
    }
    bucket.rows.push(<Row key={s.id} s={s} active={s.id === activeId} editing={s.id === renaming} />);
  }

  return (
    <nav class="session-list" aria-label="Conversations" ref={scrollRef}>
      {groups.map(({ group, rows }, i) => (
        <section class="group" key={`${group}-${i}`} aria-labelledby={`${GROUP_IDS[group]}-${i}`}>
          <h2 class="group-label" id={`${GROUP_IDS[group]}-${i}`}>
            {group}
          </h2>
          <ul class="rows">{rows}</ul>
        </section>
      ))}
      <div ref={sentinelRef} class="sentinel" aria-hidden="true" />
      {!st.loaded || st.loading ? (
        <div class="list-status" role="status">
          {st.items.length === 0 ? <ListSkeleton /> : 'Loading more…'}
        </div>
      ) : null}
      {st.error ? (
        <div class="list-status error" role="alert">
          Could not load conversations: {st.error}{' '}
          <button type="button" class="link-btn" onClick={() => void loadMore()}>
            Retry
          </button>
        </div>
      ) : null}
      {st.loaded && !st.loading && !st.error && st.items.length === 0 ? (
        <p class="list-empty">No conversations yet. Your chats will show up here.</p>
      ) : null}
    </nav>
  );
}

function ListSkeleton() {
  return (
    <div class="skeleton" aria-label="Loading conversations">
      {[72, 55, 80, 64, 48, 70].map((w, i) => (
        <div key={i} class="skeleton-line" style={{ width: `${w}%` }} />
      ))}
    </div>
  );
}

function ConnStatus() {
  const conn = useStore(app, (a) => a.conn);
  const ever = useStore(app, (a) => a.everConnected);
  const label = conn === 'open' ? 'Connected' : ever ? 'Reconnecting…' : 'Connecting…';
  return (
    <span class={`conn conn-${conn === 'open' ? 'ok' : 'wait'}`} role="status" title={label}>
      <span class="conn-dot" aria-hidden="true" />
      <span class="conn-label">{label}</span>
    </span>
  );
}

export function Sidebar() {
  const navOpen = useStore(app, (a) => a.navOpen);
  const total = useStore(sessions, (s) => s.total);
  return (
    <aside id="sidebar" class={navOpen ? 'sidebar open' : 'sidebar'} aria-label="Sidebar">
      <div class="sidebar-head">
        <div class="brand">
          <PawLogo size={26} />
          <span>PocketPaw</span>
        </div>
        <button type="button" class="icon-btn mobile-only" aria-label="Close conversations" onClick={() => setNavOpen(false)}>
          <IconClose />
        </button>
      </div>
      <div class="sidebar-actions">
        <button type="button" class="new-chat" onClick={newChat} aria-keyshortcuts={isMac ? 'Meta+Shift+O' : 'Control+Shift+O'}>
          <IconPlus />
          <span>New chat</span>
        </button>
        <button type="button" class="search-btn" onClick={openSearch} aria-keyshortcuts={isMac ? 'Meta+K' : 'Control+K'}>
          <IconSearch />
          <span>Search</span>
          <kbd>{modKey} K</kbd>
        </button>
      </div>
      <SessionList />
      <PanelNav />
      <div class="sidebar-foot">
        <button type="button" class="foot-btn" onClick={() => openSettings()}>
          <IconSettings />
          <span>Settings</span>
        </button>
        <div class="foot-meta">
          <ConnStatus />
          {total > 0 ? <span class="total">{groupDigits(total)} chats</span> : null}
        </div>
      </div>
    </aside>
  );
}
