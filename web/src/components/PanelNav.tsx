import { useState } from 'preact/hooks';
import { panelHref } from '../router';
import { openPalette, panels, PANELS } from '../state/panels';
import { useStore } from '../store';
import { IconTool } from './icons';
import './Panels.css';

const KEY = 'pocketpaw.toolsOpen';
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

function remembered(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

/** The sidebar's "Tools" section: a link to each panel, and the command palette. */
export function PanelNav() {
  const current = useStore(panels, (p) => p.name);
  const [open, setOpen] = useState(() => remembered() || current !== null);
  const toggle = () => {
    setOpen(!open);
    try {
      localStorage.setItem(KEY, open ? '0' : '1');
    } catch {
      // private mode: the section just does not remember
    }
  };
  return (
    <nav class="panel-nav" aria-label="Tools">
      <div class="panel-nav-head">
        <button type="button" class="panel-nav-toggle" aria-expanded={open ? 'true' : 'false'} aria-controls="panel-nav-list" onClick={toggle}>
          <IconTool />
          <span>Tools</span>
          <span class="panel-nav-caret" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
        </button>
        <button
          type="button"
          class="panel-nav-palette"
          onClick={openPalette}
          aria-keyshortcuts={isMac ? 'Meta+Shift+P' : 'Control+Shift+P'}
          title="Command palette"
        >
          <span class="sr-only">Command palette</span>
          <kbd aria-hidden="true">{isMac ? '⌘ ⇧ P' : 'Ctrl ⇧ P'}</kbd>
        </button>
      </div>
      <ul id="panel-nav-list" class="panel-nav-list" hidden={!open}>
          {PANELS.map((p) => (
            <li key={p.name}>
              <a class="panel-nav-link" href={panelHref(p.name)} aria-current={p.name === current ? 'page' : undefined}>
                {p.title}
              </a>
            </li>
          ))}
      </ul>
    </nav>
  );
}
