import { useEffect } from 'preact/hooks';
import { newChat } from '../state/navigation';
import { closePalette, openPalette, panels } from '../state/panels';
import { app, chat } from '../state/stores';
import { openSearch, setNavOpen } from '../state/ui';
import { useStore } from '../store';
import { ChatView } from './ChatView';
import { ConfirmDialog, Toasts } from './Dialogs';
import { lazyComponent } from './lazy';
import { LoginPage } from './Login';
import { MenuHost } from './Menu';
import { OAuthPrompts } from './OAuthPrompt';
import { PanelView } from './PanelView';
import { SearchDialog } from './SearchDialog';
import { startRename } from './Sidebar';
import { Sidebar } from './Sidebar';

const SettingsDialog = lazyComponent(() => import('./SettingsDialog').then((m) => m.SettingsDialog), 'Settings');
const CommandPalette = lazyComponent(() => import('./CommandPalette').then((m) => m.CommandPalette), 'The command palette');

/** Settings and the palette are fetched the first time they open (see lazyComponent). */
function LazyDialogs() {
  const settings = useStore(app, (a) => a.settingsOpen);
  const palette = useStore(panels, (p) => p.paletteOpen);
  return (
    <>
      {palette ? <CommandPalette /> : null}
      {settings ? <SettingsDialog /> : null}
    </>
  );
}

function isTyping(el: Element | null): boolean {
  return !!el && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || (el as HTMLElement).isContentEditable);
}

/**
 * Page-wide shortcuts: Ctrl/⌘+K search, Ctrl/⌘+Shift+P the command palette, Ctrl/⌘+Shift+O new
 * chat, F2 rename, Esc closes the drawer.
 */
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
      if (mod && e.shiftKey && !e.altKey && key === 'p') {
        e.preventDefault();
        if (panels.get().paletteOpen) closePalette();
        else if (!app.get().searchOpen && !app.get().settingsOpen && !app.get().confirm) {
          app.set({ navOpen: false });
          openPalette();
        }
        return;
      }
      if (mod && e.shiftKey && key === 'o') {
        e.preventDefault();
        newChat();
        return;
      }
      const dialogOpen = app.get().searchOpen || app.get().settingsOpen || app.get().confirm || panels.get().paletteOpen;
      if (e.key === 'F2' && !dialogOpen && !panels.get().name && !isTyping(document.activeElement)) {
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
  const panel = useStore(panels, (p) => p.name);
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
    <div class={`layout${navOpen ? ' nav-open' : ''}${panel ? ' panel-open' : ''}`} data-auth={auth}>
      {panel ? (
        <button type="button" class="skip-link" onClick={() => document.getElementById('panel-title')?.focus()}>
          Skip to the panel
        </button>
      ) : (
        <button type="button" class="skip-link" onClick={() => document.getElementById('composer-input')?.focus()}>
          Skip to the message box
        </button>
      )}
      <Sidebar />
      <div class="scrim" aria-hidden="true" onClick={() => setNavOpen(false)} />
      {/* A panel covers the chat; the chat stays mounted underneath, as it was. */}
      <ChatView />
      {panel ? <PanelView name={panel} /> : null}
      <SearchDialog />
      <LazyDialogs />
      <ConfirmDialog />
      <MenuHost />
      <OAuthPrompts />
      <Toasts />
    </div>
  );
}
