/**
 * Which chat is on screen: the route (`#/` a new chat, `#/session/<id>` a stored one), its
 * history over REST, and search hits that open a session scrolled to a match.
 */
import { isDashboardSession } from '@protocol';
import { api } from '../api';
import { navigate, sessionHref, type Route } from '../router';
import { app, chat } from './stores';
import { turns } from './turn';

class ChatNavigation {
  /** The history request of the session on screen: a newer one replaces it. */
  private historyAbort: AbortController | null = null;
  /** A search hit on its way to the screen: scrolled to once its session opens. */
  private pendingFind: { id: string; q: string; title: string } | null = null;

  open(route: Route, initial = false): void {
    const c = chat.get();
    app.set({ navOpen: false });
    // A tool panel covers the chat, which stays as it was underneath (components/App.tsx).
    if (route.kind === 'panel') return;
    if (route.kind === 'session') {
      const find = this.pendingFind && this.pendingFind.id === route.id ? this.pendingFind : null;
      this.pendingFind = null;
      if (!initial && c.sessionId === route.id) {
        chat.set({ route, draft: false, ...(find ? { find: find.q } : {}) });
        return;
      }
      turns.abandon();
      // Sessions of other channels (Telegram, …) are shown, but the dashboard cannot reply there.
      const readOnly = !isDashboardSession(route.id);
      chat.set({
        route, sessionId: route.id, draft: false, messages: [], loading: true, loadError: null,
        streaming: false, readOnly, find: find?.q ?? null, knownTitle: find?.title ?? null,
      });
      void this.loadHistory(route.id);
      if (!readOnly) turns.switchTo(route.id);
      return;
    }
    if (!initial && c.route.kind === 'new' && c.draft && c.messages.length === 0) return;
    turns.abandon();
    chat.set({ route, sessionId: null, draft: true, messages: [], loading: false, loadError: null, streaming: false, readOnly: false, find: null, knownTitle: null });
    if (!initial) turns.startNew();
  }

  async loadHistory(id: string): Promise<void> {
    this.historyAbort?.abort();
    const ctl = new AbortController();
    this.historyAbort = ctl;
    try {
      const history = await api.history(id, ctl.signal);
      if (chat.get().sessionId !== id) return;
      const loaded = turns.messagesOf(history);
      // Anything sent while the history was on its way stays, after it.
      chat.set((c) => ({ messages: [...loaded, ...c.messages], loading: false, loadError: null }));
    } catch (err) {
      if ((err as Error).name === 'AbortError' || chat.get().sessionId !== id) return;
      chat.set({ loading: false, loadError: (err as Error).message });
    }
  }

  /** Opens a search hit: the session, scrolled to the first message containing `q`. */
  openSearchHit(id: string, q: string, title: string): void {
    app.set({ searchOpen: false });
    this.pendingFind = { id, q, title };
    if (chat.get().sessionId === id) {
      this.pendingFind = null;
      chat.set({ find: null });
      queueMicrotask(() => chat.set({ find: q }));
    } else {
      navigate(sessionHref(id));
    }
  }
}

export const navigation = new ChatNavigation();

export function openRoute(route: Route, initial = false): void {
  navigation.open(route, initial);
}

export function retryHistory(): void {
  const id = chat.get().sessionId;
  if (!id) return;
  chat.set({ loading: true, loadError: null, messages: [] });
  void navigation.loadHistory(id);
}

export function newChat(): void {
  if (location.hash === '' || location.hash === '#/' || location.hash === '#') {
    openRoute({ kind: 'new' });
  } else {
    navigate('#/');
  }
  app.set({ navOpen: false });
}

export function openSearchHit(id: string, q: string, title: string): void {
  navigation.openSearchHit(id, q, title);
}
