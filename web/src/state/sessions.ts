/**
 * The session list (paged by last activity, kept current by `session_updated` frames) and the
 * actions on one session: rename, delete, export.
 */
import { TITLE_MAX, type SessionSummary } from '@protocol';
import { api, ApiError, PAGE_SIZE } from '../api';
import { navigate } from '../router';
import { app, chat, sessions } from './stores';
import { toast } from './ui';

/** Server order: last activity descending, then id descending. */
function newerFirst(a: SessionSummary, b: SessionSummary): number {
  if (a.last_activity !== b.last_activity) return a.last_activity > b.last_activity ? -1 : 1;
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
}

function mergeUnique(a: SessionSummary[], b: SessionSummary[]): SessionSummary[] {
  const byId = new Map<string, SessionSummary>();
  for (const s of [...a, ...b]) {
    const prev = byId.get(s.id);
    if (!prev || s.last_activity >= prev.last_activity) byId.set(s.id, s);
  }
  return [...byId.values()].sort(newerFirst);
}

export async function loadFirstPage(quiet401 = false): Promise<void> {
  sessions.set({ loading: true, error: null });
  try {
    const res = await api.listSessions(undefined, PAGE_SIZE, { quiet401 });
    sessions.set((s) => ({
      items: mergeUnique(s.items, res.sessions),
      total: res.total,
      loaded: true,
      loading: false,
      done: s.loaded ? s.done : res.sessions.length < PAGE_SIZE,
    }));
  } catch (err) {
    sessions.set({ loading: false, loaded: true, error: (err as Error).message });
    throw err;
  }
}

/**
 * Next page of the infinite scroll. The cursor is `before=<last_activity>`, which skips
 * sessions that share the boundary's timestamp; asking for `before=<last_activity + ' '>`
 * includes the boundary again (any suffix sorts after the timestamp itself), and the repeats
 * are dropped by id.
 */
export async function loadMore(): Promise<void> {
  const st = sessions.get();
  if (st.loading || st.done || !st.loaded) return;
  const last = st.items[st.items.length - 1];
  if (!last) {
    sessions.set({ done: true });
    return;
  }
  sessions.set({ loading: true, error: null });
  try {
    let res = await api.listSessions(`${last.last_activity} `);
    const known = new Set(sessions.get().items.map((s) => s.id));
    let fresh = res.sessions.filter((s) => !known.has(s.id));
    if (fresh.length === 0 && res.sessions.length === PAGE_SIZE) {
      // A whole page of one timestamp: step past it (the server's cursor cannot split it).
      res = await api.listSessions(last.last_activity);
      fresh = res.sessions.filter((s) => !known.has(s.id));
    }
    const done = res.sessions.length < PAGE_SIZE;
    sessions.set((s) => ({ items: [...s.items, ...fresh.filter((f) => !s.items.some((x) => x.id === f.id))], total: res.total, loading: false, done }));
  } catch (err) {
    sessions.set({ loading: false, error: (err as Error).message });
  }
}

export function upsertSession(s: SessionSummary): void {
  sessions.set((st) => {
    const idx = st.items.findIndex((x) => x.id === s.id);
    const items = idx >= 0 ? [...st.items.slice(0, idx), ...st.items.slice(idx + 1)] : [...st.items];
    const last = items[items.length - 1];
    // Older than everything loaded and not on screen yet: it arrives with its page.
    if (idx < 0 && !st.done && last && newerFirst(s, last) > 0) return {};
    let at = items.findIndex((x) => newerFirst(s, x) < 0);
    if (at < 0) at = items.length;
    items.splice(at, 0, s);
    const isNew = idx < 0 && s.created === s.last_activity;
    return { items, total: st.total + (isNew ? 1 : 0) };
  });
}

export function removeSession(id: string): void {
  sessions.set((st) => {
    const items = st.items.filter((x) => x.id !== id);
    return items.length === st.items.length ? {} : { items, total: Math.max(0, st.total - 1) };
  });
}

export function findSession(id: string | null): SessionSummary | undefined {
  return id ? sessions.get().items.find((s) => s.id === id) : undefined;
}

/** Returns an error message to show, or null when renamed. */
export async function renameSession(id: string, raw: string): Promise<string | null> {
  const title = raw.trim();
  if (!title) return 'A title can’t be empty.';
  if ([...title].length > TITLE_MAX) return `A title can have at most ${TITLE_MAX} characters.`;
  try {
    await api.rename(id, title);
  } catch (err) {
    return (err as Error).message;
  }
  const s = findSession(id);
  if (s) upsertSession({ ...s, title, user_title: title });
  if (chat.get().sessionId === id) chat.set({ knownTitle: title });
  return null;
}

export function confirmDelete(id: string): void {
  const s = findSession(id);
  const title = s?.title ?? chat.get().knownTitle ?? 'this conversation';
  const count = s ? ` and its ${s.message_count} message${s.message_count === 1 ? '' : 's'}` : '';
  app.set({
    confirm: {
      title: 'Delete conversation?',
      body: `“${title}”${count} will be deleted for good.`,
      confirmLabel: 'Delete',
      danger: true,
      onConfirm: () => deleteSession(id),
    },
  });
}

export async function deleteSession(id: string): Promise<void> {
  try {
    await api.remove(id);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) {
      toast(`Could not delete: ${(err as Error).message}`, 'error');
      return;
    }
  }
  removeSession(id);
  toast('Conversation deleted.');
  if (chat.get().sessionId === id) navigate('#/');
}

export async function exportSession(id: string, format: 'md' | 'json'): Promise<void> {
  try {
    const { filename, blob } = await api.exportSession(id, format);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    const msg = err instanceof ApiError && err.status === 404 ? 'This conversation has no messages to export yet.' : (err as Error).message;
    toast(`Export failed: ${msg}`, 'error');
  }
}
