/**
 * The colour theme: follow the system, or always light, or always dark. Stored in localStorage
 * and applied as `data-theme` on <html> (tokens.css reads it). `/static/theme.js`, a blocking
 * script in the page's <head>, applies the stored choice before the first paint, so a dark
 * choice never flashes light; this module keeps it in step afterwards.
 *
 * `setTheme` and `cycleTheme` are for any UI that changes it (the sidebar toggle, the command
 * palette); `theme` is the store to read it from.
 */
import { createStore } from '../store';

export type ThemeChoice = 'system' | 'light' | 'dark';

/** The localStorage key; /static/theme.js (web/public/theme.js) reads the same one. */
export const THEME_KEY = 'pocketpaw.theme';
export const THEME_ORDER: readonly ThemeChoice[] = ['system', 'light', 'dark'];
export const THEME_LABELS: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** The browser-bar colour of each look (the sidebar's background), as in index.html. */
const BAR_COLOURS = { light: '#f7f7f8', dark: '#18181b' } as const;

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system'; // storage blocked: follow the system
  }
}

export const theme = createStore<{ choice: ThemeChoice }>({ choice: stored() });

function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
  // The browser bar: each <meta name="theme-color"> keeps its media query; a fixed choice gives both one colour.
  for (const meta of Array.from(document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]'))) {
    const own = meta.media.includes('dark') ? BAR_COLOURS.dark : BAR_COLOURS.light;
    meta.content = choice === 'system' ? own : BAR_COLOURS[choice];
  }
}

/** Switches the theme now, remembers it for the next visit, and tells other open tabs. */
export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    // not remembered, still applied
  }
  apply(choice);
  theme.set({ choice });
}

/** System → Light → Dark → System; returns the new choice. */
export function cycleTheme(): ThemeChoice {
  const cur = theme.get().choice;
  const next = THEME_ORDER[(THEME_ORDER.indexOf(cur) + 1) % THEME_ORDER.length]!;
  setTheme(next);
  return next;
}

// Another tab changed it: follow.
if (typeof window !== 'undefined') {
  apply(theme.get().choice);
  window.addEventListener('storage', (e) => {
    if (e.key !== THEME_KEY && e.key !== null) return;
    const choice = stored();
    apply(choice);
    theme.set({ choice });
  });
}
