/** Toasts and the open/closed state of the dialogs and the phone-sized navigation drawer. */
import { app, type SettingsTab, type Toast } from './stores';

let toastSeq = 1;
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = toastSeq++;
  app.set((s) => ({ toasts: [...s.toasts.slice(-2), { id, text, kind }] }));
  setTimeout(() => dismissToast(id), kind === 'error' ? 8000 : 4000);
}
export function dismissToast(id: number): void {
  app.set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

export const openSettings = (tab: SettingsTab = 'general') => app.set({ settingsOpen: true, settingsTab: tab, navOpen: false });
export const setSettingsTab = (tab: SettingsTab) => app.set({ settingsTab: tab });
export const closeSettings = () => app.set({ settingsOpen: false });
export const openSearch = () => app.set({ searchOpen: true, navOpen: false });
export const closeSearch = () => app.set({ searchOpen: false });
export const setNavOpen = (open: boolean) => app.set({ navOpen: open });
