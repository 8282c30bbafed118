/**
 * The tool panels (memory, reminders, …): which one is on screen (`#/panel/<name>`), the command
 * palette, and the reminder notices every tab shows when the server says one is due. Panel code
 * itself loads on demand (components/PanelView.tsx); this module stays small.
 */
import type { ServerFrame } from '@protocol';
import { navigate, onRouteChange, panelHref, parseRoute } from '../router';
import { createStore } from '../store';
import { link } from './socket';
import { app } from './stores';

export interface PanelInfo {
  name: string;
  title: string;
  /** One line under the title, and in the palette. */
  help: string;
  /** Extra words the palette matches. */
  keywords?: string;
}

export const PANELS: PanelInfo[] = [
  { name: 'memory', title: 'Memory', help: 'What PocketPaw remembers about you. Search, add and delete.', keywords: 'remember forget notes' },
  { name: 'reminders', title: 'Reminders', help: 'Ask for a nudge in plain words, such as “in 5 minutes call mum”.', keywords: 'alarm timer notify' },
  { name: 'intentions', title: 'Scheduled prompts', help: 'Prompts the agent runs by itself on a schedule (intentions).', keywords: 'intentions cron schedule automation' },
  { name: 'identity', title: 'Identity', help: 'Who the agent is, how it talks, and what it knows about you.', keywords: 'persona soul style instructions user' },
  { name: 'audit', title: 'Audit log', help: 'Everything the agent and this server did that matters for safety.', keywords: 'security log events' },
  { name: 'health', title: 'Health', help: 'Whether PocketPaw is set up and running well, and recent errors.', keywords: 'status checks errors diagnostics' },
  { name: 'files', title: 'Files', help: 'The folders the agent may read and write.', keywords: 'browse folders directory workspace' },
  { name: 'powers', title: 'Agent powers', help: 'Which tools the agent may use, what needs your approval, and the shell sandbox.', keywords: 'tools profile approvals sandbox plan mode' },
  { name: 'skills', title: 'Skills', help: 'Ready-made instructions the agent can follow.', keywords: 'install' },
  { name: 'channels', title: 'Channels', help: 'Talk to PocketPaw from Telegram, Discord, Slack or WhatsApp.', keywords: 'telegram discord slack whatsapp bot chat apps messaging' },
  { name: 'webhooks', title: 'Webhooks', help: 'Let other programs send messages to the agent over HTTP.', keywords: 'http api integrations automation secret inbound' },
  { name: 'mcp', title: 'MCP servers', help: 'Extra tools from other programs and services.', keywords: 'model context protocol integrations' },
];

export function panelInfo(name: string | null): PanelInfo | undefined {
  return PANELS.find((p) => p.name === name);
}

export interface PanelsState {
  /** The panel on screen, or null for the chat. */
  name: string | null;
  paletteOpen: boolean;
}

const routeName = () => {
  const r = parseRoute();
  return r.kind === 'panel' ? r.name : null;
};

export const panels = createStore<PanelsState>({ name: routeName(), paletteOpen: false });

/** The chat's URL before a panel covered it: where "Back to the chat" goes. */
let chatHash = routeName() === null ? location.hash || '#/' : '#/';
onRouteChange(() => {
  const name = routeName();
  if (name === null) chatHash = location.hash || '#/';
  panels.set({ name });
});
export const lastChatHash = () => chatHash;

export const openPanel = (name: string) => {
  app.set({ navOpen: false });
  navigate(panelHref(name));
};
export const openPalette = () => panels.set({ paletteOpen: true });
export const closePalette = () => panels.set({ paletteOpen: false });

// ---------- reminders that come due ----------

export interface DueReminder {
  id: string;
  text: string;
}

/** Ids already shown: PocketPaw sends each firing twice (spec §4.4). */
const shown = new Set<string>();
let noticeSeq = 1_000_000;

function reminderOf(f: ServerFrame): DueReminder | null {
  if (f.type !== 'reminder') return null;
  const r = (f.reminder ?? f.content) as { id?: unknown; text?: unknown } | undefined;
  if (!r || typeof r !== 'object' || typeof r.text !== 'string') return null;
  return { id: typeof r.id === 'string' ? r.id : r.text, text: r.text };
}

/** A due reminder: a notice that stays until dismissed, and a system notification when the tab is hidden. */
function onReminder(r: DueReminder): void {
  if (shown.has(r.id)) return;
  shown.add(r.id);
  const id = noticeSeq++;
  app.set((s) => ({ toasts: [...s.toasts.slice(-2), { id, text: `⏰ Reminder: ${r.text}`, kind: 'info' }] }));
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.visibilityState === 'hidden') {
    try {
      // One notification per reminder across tabs: the same tag replaces the others'.
      new Notification('PocketPaw reminder', { body: r.text, tag: `reminder-${r.id}` });
    } catch {
      // some browsers allow notifications only from a service worker; the notice is there
    }
  }
  for (const fn of reminderListeners) fn(r);
}

const reminderListeners = new Set<(r: DueReminder) => void>();
/** The Reminders panel refreshes its list when one fires. */
export function onReminderDue(fn: (r: DueReminder) => void): () => void {
  reminderListeners.add(fn);
  return () => reminderListeners.delete(fn);
}

link.listen((f) => {
  const r = reminderOf(f);
  if (r) onReminder(r);
});
