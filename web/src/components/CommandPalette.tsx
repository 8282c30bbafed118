import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate } from '../router';
import { newChat } from '../state/navigation';
import { closePalette, lastChatHash, openPanel, panels, PANELS } from '../state/panels';
import { setTheme, theme, THEME_LABELS, THEME_ORDER } from '../state/theme';
import { openSearch, openSettings, toast } from '../state/ui';
import { useStore } from '../store';
import { Modal } from './Modal';
import './Panels.css';

interface Command {
  id: string;
  label: string;
  hint: string;
  words: string;
  run(): void;
}

function commands(): Command[] {
  const list: Command[] = PANELS.map((p) => ({
    id: `panel-${p.name}`,
    label: p.title,
    hint: p.help,
    words: `${p.name} ${p.keywords ?? ''} panel open`,
    run: () => openPanel(p.name),
  }));
  list.push(
    { id: 'new-chat', label: 'New chat', hint: 'Start a new conversation.', words: 'conversation start', run: newChat },
    { id: 'search', label: 'Search conversations', hint: 'Find a word in every message.', words: 'find', run: openSearch },
    { id: 'settings', label: 'Settings', hint: 'Model, API keys, agent powers, access.', words: 'preferences options model keys', run: () => openSettings() },
  );
  for (const choice of THEME_ORDER) {
    if (choice === theme.get().choice) continue;
    list.push({
      id: `theme-${choice}`,
      label: `Theme: ${choice === 'system' ? 'follow the system' : THEME_LABELS[choice]}`,
      hint: choice === 'system' ? 'Light or dark as the device is set.' : `Always ${THEME_LABELS[choice].toLowerCase()}.`,
      words: 'colour color appearance mode',
      run: () => setTheme(choice),
    });
  }
  if (panels.get().name) {
    list.push({ id: 'back', label: 'Back to the chat', hint: 'Close the panel.', words: 'close chat return', run: () => navigate(lastChatHash()) });
  }
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
    list.push({
      id: 'notify',
      label: 'Allow notifications',
      hint: 'Reminders show up even when this tab is in the background.',
      words: 'reminders alerts',
      run: () => {
        void Notification.requestPermission().then((p) => toast(p === 'granted' ? 'Notifications are on.' : 'Notifications stay off. You can allow them in the browser’s site settings.'));
      },
    });
  }
  return list;
}

const wordsOf = (q: string) => q.toLowerCase().split(/\s+/).filter(Boolean);

function matches(c: Command, q: string): boolean {
  const hay = `${c.label} ${c.hint} ${c.words}`.toLowerCase();
  return wordsOf(q).every((w) => hay.includes(w));
}

/** Matches by name first ("theme dark" → Theme: Dark), then by description. */
function ranked(all: Command[], q: string): Command[] {
  const shown = all.filter((c) => matches(c, q));
  const inLabel = (c: Command) => wordsOf(q).every((w) => c.label.toLowerCase().includes(w));
  return [...shown.filter(inLabel), ...shown.filter((c) => !inLabel(c))];
}

function Palette() {
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const [all] = useState(commands);
  const listRef = useRef<HTMLUListElement>(null);
  const shown = ranked(all, q);
  const current = Math.min(active, shown.length - 1);

  useEffect(() => {
    listRef.current?.querySelector(`#palette-${current}`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const run = (c: Command | undefined) => {
    if (!c) return;
    closePalette();
    // After the dialog has closed and given focus back, so a dialog the command opens keeps it.
    setTimeout(() => c.run(), 0);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive(Math.min(current + 1, shown.length - 1));
    else if (e.key === 'ArrowUp') setActive(Math.max(current - 1, 0));
    else if (e.key === 'Home' && e.ctrlKey) setActive(0);
    else if (e.key === 'Enter') run(shown[current]);
    else return;
    e.preventDefault();
  };

  return (
    <div class="palette">
      <div class="palette-box">
        <span aria-hidden="true" class="palette-prompt">
          ›
        </span>
        <input
          type="text"
          role="combobox"
          aria-label="Command"
          aria-expanded={shown.length > 0 ? 'true' : 'false'}
          aria-controls="palette-list"
          aria-autocomplete="list"
          aria-activedescendant={shown.length > 0 ? `palette-${current}` : undefined}
          placeholder="Open a panel or run a command…"
          autoFocus
          autocomplete="off"
          spellcheck={false}
          value={q}
          onInput={(e) => {
            setQ((e.currentTarget as HTMLInputElement).value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <kbd aria-hidden="true">Esc</kbd>
      </div>
      <ul id="palette-list" class="palette-list" role="listbox" aria-label="Commands" ref={listRef}>
        {shown.map((c, i) => (
          <li
            key={c.id}
            id={`palette-${i}`}
            role="option"
            data-command={c.id}
            aria-selected={i === current ? 'true' : 'false'}
            class={i === current ? 'palette-item active' : 'palette-item'}
            onMouseMove={() => i !== current && setActive(i)}
            onClick={() => run(c)}
          >
            <span class="palette-label">{c.label}</span>
            <span class="palette-hint">{c.hint}</span>
          </li>
        ))}
      </ul>
      <p class="palette-status" role="status">
        {shown.length === 0 ? `Nothing matches “${q.trim()}”. Try “memory”, “reminder” or “new chat”.` : '↑ ↓ to choose, Enter to run.'}
      </p>
    </div>
  );
}

/** Ctrl/⌘+Shift+P: every panel and the common commands, by typing part of a name. */
export function CommandPalette() {
  const open = useStore(panels, (p) => p.paletteOpen);
  if (!open) return null;
  return (
    <Modal onClose={closePalette} class="modal-palette" label="Command palette">
      <Palette />
    </Modal>
  );
}
