import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { createStore, useStore } from '../store';
import './Menu.css';

export interface MenuItem {
  label: string;
  icon?: () => JSX.Element;
  danger?: boolean;
  onSelect(): void;
}

interface MenuState {
  anchor: HTMLElement | null;
  items: MenuItem[];
  label: string;
}

const menu = createStore<MenuState>({ anchor: null, items: [], label: '' });

/** Opens the one popup menu of the page next to `anchor` (a button with aria-haspopup="menu"). */
export function openMenu(anchor: HTMLElement, label: string, items: MenuItem[]): void {
  menu.set({ anchor, items, label });
  anchor.setAttribute('aria-expanded', 'true');
}

function closeMenu(refocus: boolean): void {
  const { anchor } = menu.get();
  anchor?.setAttribute('aria-expanded', 'false');
  menu.set({ anchor: null, items: [] });
  if (refocus && anchor?.isConnected) anchor.focus();
}

export function MenuHost() {
  const { anchor, items, label } = useStore(menu, (s) => s);
  const ref = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!anchor || !el) return;
    const r = anchor.getBoundingClientRect();
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    let left = r.right - w;
    if (left < 8) left = Math.min(r.left, window.innerWidth - w - 8);
    let top = r.bottom + 4;
    if (top + h > window.innerHeight - 8) top = Math.max(8, r.top - h - 4);
    el.style.left = `${Math.max(8, left)}px`;
    el.style.top = `${top}px`;
    el.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [anchor, items]);

  useEffect(() => {
    if (!anchor) return;
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!ref.current?.contains(t) && !anchor.contains(t)) closeMenu(false);
    };
    const onScrollOrResize = () => closeMenu(false);
    document.addEventListener('pointerdown', onDown, true);
    window.addEventListener('resize', onScrollOrResize);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('resize', onScrollOrResize);
    };
  }, [anchor]);

  if (!anchor) return null;

  const onKeyDown = (e: KeyboardEvent) => {
    const buttons = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const i = buttons.indexOf(document.activeElement as HTMLElement);
    const focus = (n: number) => buttons[(n + buttons.length) % buttons.length]?.focus();
    if (e.key === 'ArrowDown') focus(i + 1);
    else if (e.key === 'ArrowUp') focus(i - 1);
    else if (e.key === 'Home') focus(0);
    else if (e.key === 'End') focus(buttons.length - 1);
    else if (e.key === 'Escape') closeMenu(true);
    else if (e.key === 'Tab') closeMenu(false);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div class="menu" role="menu" aria-label={label} ref={ref} onKeyDown={onKeyDown}>
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          class={item.danger ? 'menu-item danger' : 'menu-item'}
          onClick={() => {
            closeMenu(true);
            item.onSelect();
          }}
        >
          {item.icon ? <item.icon /> : null}
          <span>{item.label}</span>
        </button>
      ))}
    </div>
  );
}
