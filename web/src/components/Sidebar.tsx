import { Component, type JSX } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { SessionSummary } from '@protocol';
import { sessionHref } from '../router';
import { newChat } from '../state/navigation';
import { confirmDelete, exportSession, loadMore } from '../state/sessions';
import { app, chat, sessions } from '../state/stores';
import { cycleTheme, theme, THEME_LABELS, THEME_ORDER, type ThemeChoice } from '../state/theme';
import { openSearch, openSettings, setNavOpen } from '../state/ui';
import { useStore } from '../store';
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
  /** A short date beside the title ("Mon", "14 Nov"), where the group heading alone does not say the day. */
  date: string | null;
}

// English names without Intl: its first use costs tens of milliseconds at start-up.
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAY_MS = 24 * 3600 * 1000;

interface Section {
  /** Stable per group: `today`, `yesterday`, `week`, `m-2026-10` (month index from 0). */
  id: string;
  label: string;
  /** Index of its first session in the list. */
  start: number;
  /** Row dates per session of the group. */
  dates: (string | null)[];
}

/**
 * The list's sections by last activity, in the reader's local calendar: Today, Yesterday,
 * Previous 7 days, then one per month ("November 2026"). Rows of the last two show their day.
 * Sessions come newest first, so each section is one run of the list.
 */
export function sectionsOf(items: readonly { last_activity: string }[], now: Date = new Date()): Section[] {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const yesterday = today - DAY_MS;
  const week = today - 7 * DAY_MS;
  const out: Section[] = [];
  items.forEach((item, i) => {
    const t = Date.parse(item.last_activity);
    let id: string;
    let label: string;
    let date: string | null = null;
    if (Number.isNaN(t)) {
      id = 'older';
      label = 'Older';
    } else if (t >= today) {
      id = 'today';
      label = 'Today';
    } else if (t >= yesterday) {
      id = 'yesterday';
      label = 'Yesterday';
    } else {
      const d = new Date(t);
      if (t >= week) {
        id = 'week';
        label = 'Previous 7 days';
        date = WEEKDAYS[d.getDay()]!;
      } else {
        id = `m-${d.getFullYear()}-${d.getMonth()}`;
        label = `${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
        date = `${d.getDate()} ${MONTHS[d.getMonth()]!.slice(0, 3)}`;
      }
    }
    let cur = out[out.length - 1];
    if (!cur || cur.id !== id) {
      cur = { id, label, start: i, dates: [] };
      out.push(cur);
    }
    cur.dates.push(date);
  });
  return out;
}

/** One session. Pure: re-renders only when its summary, highlight or edit state changes. */
class Row extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return next.s !== p.s || next.active !== p.active || next.editing !== p.editing || next.date !== p.date;
  }

  override render({ s, active, editing, date }: RowProps) {
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
          {chip ? (
            <span class="chip" data-channel={s.channel} title={`Came in over ${chip}`}>
              {chip}
            </span>
          ) : null}
          {date ? (
            <time class="row-date" dateTime={s.last_activity}>
              {date}
            </time>
          ) : null}
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

const CHUNK = 50;

interface ChunkProps {
  items: SessionSummary[];
  dates: (string | null)[];
  /** The open / renamed session, when it is in this chunk (null otherwise). */
  activeId: string | null;
  renaming: string | null;
}

/**
 * A list per chunk of rows, skipped by the browser while off screen (content-visibility): per
 * chunk rather than per row, so scrolling checks tens of boxes, not thousands. A chunk whose
 * rows did not change is not rendered again (a new page, another open session), so the cost of
 * an update does not grow with the rows already loaded.
 */
class Chunk extends Component<ChunkProps> {
  override shouldComponentUpdate(next: ChunkProps): boolean {
    const p = this.props;
    if (next.activeId !== p.activeId || next.renaming !== p.renaming || next.items.length !== p.items.length) return true;
    for (let i = 0; i < next.items.length; i++) {
      if (next.items[i] !== p.items[i] || next.dates[i] !== p.dates[i]) return true;
    }
    return false;
  }

  override render({ items, dates, activeId, renaming }: ChunkProps) {
    return (
      <ul class="rows" style={{ containIntrinsicSize: `auto ${items.length * 36}px` }}>
        {items.map((s, j) => (
          <Row key={s.id} s={s} active={s.id === activeId} editing={s.id === renaming} date={dates[j] ?? null} />
        ))}
      </ul>
    );
  }
}

/** [from, to) index pairs of CHUNK rows. */
function chunksOf(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i += CHUNK) out.push([i, Math.min(n, i + CHUNK)]);
  return out;
}

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

  // Sections change only with the list (and the day: the date is part of the key).
  const day = new Date().toDateString();
  const sections = useMemo(() => sectionsOf(st.items), [st.items, day]);

  return (
    <nav class="session-list" aria-label="Conversations" ref={scrollRef}>
      {sections.map((sec) => (
        <section class="group" key={sec.id} aria-labelledby={`g-${sec.id}`}>
          <h2 class="group-label" id={`g-${sec.id}`}>
            {sec.label}
          </h2>
          {chunksOf(sec.dates.length).map(([from, to]) => {
            const items = st.items.slice(sec.start + from, sec.start + to);
            const has = (id: string | null) => (id !== null && items.some((s) => s.id === id) ? id : null);
            return <Chunk key={from} items={items} dates={sec.dates.slice(from, to)} activeId={has(activeId)} renaming={has(renaming)} />;
          })}
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

const THEME_ICONS: Record<ThemeChoice, JSX.Element> = {
  system: (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <rect x="3" y="4" width="18" height="12" rx="2" />
      <path d="M8 20h8M12 16v4" />
    </svg>
  ),
  light: (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </svg>
  ),
  dark: (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d="M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z" />
    </svg>
  ),
};

/** System → Light → Dark: one button, its label says the current choice and the next. */
function ThemeToggle() {
  const choice = useStore(theme, (t) => t.choice);
  const next = THEME_ORDER[(THEME_ORDER.indexOf(choice) + 1) % THEME_ORDER.length]!;
  const label = `Theme: ${THEME_LABELS[choice]}. Switch to ${THEME_LABELS[next]}`;
  return (
    <button type="button" class="foot-btn theme-btn" aria-label={label} title={label} data-theme-choice={choice} onClick={() => cycleTheme()}>
      {THEME_ICONS[choice]}
    </button>
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
        <ThemeToggle />
        <div class="foot-meta">
          <ConnStatus />
          {total > 0 ? <span class="total">{groupDigits(total)} chats</span> : null}
        </div>
      </div>
    </aside>
  );
}
