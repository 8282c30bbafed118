/** Start-up, sign-in and sign-out: the socket, the first page of the list, the login screen. */
import { api, ApiError, setUnauthorizedHandler } from '../api';
import { onRouteChange, parseRoute } from '../router';
import type { ConnStatus } from '../ws';
import { onFrame } from './frames';
import { openRoute } from './navigation';
import { loadFirstPage } from './sessions';
import { loadSettings } from './settings';
import { link } from './socket';
import { app, chat, sessions } from './stores';
import { turns } from './turn';
import { toast } from './ui';

function onStatus(status: ConnStatus): void {
  if (status === 'reconnecting') turns.onReconnecting();
  app.set((s) => ({ conn: status, everConnected: s.everConnected || status === 'open' }));
  if (status === 'unauthorized') showLogin();
}

function showLogin(message: string | null = null): void {
  link.close();
  turns.abandon();
  app.set((s) => ({ auth: 'login', loginMessage: message ?? s.loginMessage, settingsOpen: false, searchOpen: false, confirm: null }));
}

async function enterApp(): Promise<void> {
  app.set({ auth: 'checking' });
  // List, history and socket start together: the first paint waits for the slowest, not the sum.
  // The list goes first: it is what the page is oriented by.
  const firstPage = loadFirstPage(true);
  openRoute(parseRoute(), true);
  link.open({
    resumeId: () => {
      const c = chat.get();
      return c.sessionId && !c.readOnly ? c.sessionId : null;
    },
    onFrame,
    onStatus,
  });
  try {
    await firstPage;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      showLogin();
      return;
    }
  }
  app.set({ auth: 'ok', loginMessage: null });
  void loadSettings();
}

export async function login(token: string): Promise<string | null> {
  try {
    await api.login(token.trim());
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return 'That token is not valid. Check it with “npx pocketpaw token” on the PocketPaw machine.';
    return (err as Error).message;
  }
  sessions.set({ items: [], loaded: false, done: false, total: 0 });
  await enterApp();
  return null;
}

export async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // the cookie may already be gone
  }
  // From this machine no login is needed: say so rather than pretend.
  try {
    await api.listSessions(undefined, 1, { quiet401: true });
    toast('Signed out. This browser runs on the PocketPaw machine itself, so it needs no sign-in.');
    app.set({ settingsOpen: false });
  } catch {
    showLogin('You are signed out.');
  }
}

export async function boot(): Promise<void> {
  setUnauthorizedHandler(() => {
    if (app.get().auth !== 'login') showLogin();
  });
  onRouteChange((r) => {
    if (app.get().auth === 'ok' || app.get().auth === 'checking') openRoute(r);
  });
  // A phone scanned the QR code: `/?token=<session token>` becomes a cookie, then leaves the URL.
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token !== null) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    try {
      await api.login(token);
    } catch {
      app.set({ loginMessage: 'That sign-in link has expired or is not valid. Scan a fresh QR code, or enter the access token.' });
    }
  }
  await enterApp();
}
