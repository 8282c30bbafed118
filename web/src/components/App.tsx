import { useEffect } from 'preact/hooks';
import { newChat } from '../state/navigation';
import { app, chat } from '../state/stores';
import { openSearch, setNavOpen } from '../state/ui';
import { useStore } from '../store';
import { ChatView } from './ChatView';
import { ConfirmDialog, Toasts } from './Dialogs';
import { LoginPage } from './Login';
import { MenuHost } from './Menu';
import { OAuthPrompts } from './OAuthPrompt';
import { SearchDialog } from './SearchDialog';
import { SettingsDialog } from './SettingsDialog';
import { startRename } from './Sidebar';
import { Sidebar } from './Sidebar';

function isTyping(el: Element | null): boolean {
  return !!el && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || (el as HTMLElement).isContentEditable);
}

/** Page-wide shortcuts: Ctrl/⌘+K search, Ctrl/⌘+Shift+O new chat, F2 rename, Esc closes the drawer. */
function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (app.get().auth !== 'ok') return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && !e.shiftKey && !e.altKey && key === 'k') {
        e.preventDefault();
        if (app.get().searchOpen) app.set({ searchOpen: false });
        else if (!app.get().settingsOpen && !app.get().confirm) openSearch();
        return;
      }
      if (mod && e.shiftKey && key === 'o') {
        e.preventDefault();
        newChat();
        return;
      }
      const dialogOpen = app.get().searchOpen || app.get().settingsOpen || app.get().confirm;
      if (e.key === 'F2' && !dialogOpen && !isTyping(document.activeElement)) {
        const c = chat.get();
        if (c.sessionId && !c.draft) {
          e.preventDefault();
          startRename(c.sessionId, 'header');
        }
        return;
      }
      if (e.key === 'Escape' && app.get().navOpen && !dialogOpen) setNavOpen(false);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

export function App() {
  const auth = useStore(app, (a) => a.auth);
  const navOpen = useStore(app, (a) => a.navOpen);
  useShortcuts();
  if (auth === 'login') {
    return (
      <>
        <LoginPage />
        <Toasts />
      </>
    );
  }
  return (
    <div class={navOpen ? 'layout nav-open' : 'layout'} data-auth={auth}>
      <button type="button" class="skip-link" onClick={() => document.getElementById('composer-input')?.focus()}>
        Skip to the message box
      </button>
      <Sidebar />
      <div class="scrim" aria-hidden="true" onClick={() => setNavOpen(false)} />
      <ChatView />
      <SearchDialog />
      <SettingsDialog />
      <ConfirmDialog />
      <MenuHost />
      <OAuthPrompts />
      <Toasts />
    </div>
  );
}
