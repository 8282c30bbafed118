/**
 * The dashboard's state: one store per concern (the app shell, the open chat, the session list,
 * plan cards), and the shapes they hold. Modules beside this one change them; components read
 * them with `useStore`.
 */
import type { AttachmentInfo, MessageVersions, SessionSummary } from '@protocol';
import type { Settings } from '../api';
import type { Route } from '../router';
import { createStore } from '../store';
import type { ConnStatus } from '../ws';

export interface ToolPart {
  type: 'tool';
  id: number;
  name: string;
  /** The MCP server that provides the tool (ours), for tools that are not built in. */
  server?: string;
  params: unknown;
  result?: string;
  status: 'running' | 'success' | 'error';
  /** How long the call took (stored steps; live ones are timed on screen). */
  durationMs?: number;
  /** When a live step started (ms since epoch), to time it. */
  startedMs?: number;
}
export interface TextPart {
  type: 'text';
  text: string;
}
export interface ThinkingPart {
  type: 'thinking';
  text: string;
  done: boolean;
}
export type Part = TextPart | ToolPart | ThinkingPart;

export interface ChatMessage {
  key: number;
  role: 'user' | 'assistant';
  parts: Part[];
  status: 'done' | 'streaming' | 'stopped' | 'error';
  /** From a whole message's `notice`: `setup` for `no_model`, `failure` for a failed turn, `notice` for the rest (a command reply, …). */
  kind?: 'setup' | 'notice' | 'failure';
  error?: string;
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
  /** The stored message's id (spec §4.7): from the history, or from `stream_end` after a live turn. */
  id?: string;
  /** Its place among its siblings ("2/3"), when it has any. */
  versions?: MessageVersions;
  /** Files sent with a user message (spec §4.7). */
  attachments?: AttachmentInfo[];
}

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void | Promise<void>;
}

export type SettingsTab = 'general' | 'mcp' | 'skills';

export interface AppState {
  auth: 'checking' | 'ok' | 'login';
  loginMessage: string | null;
  conn: ConnStatus;
  everConnected: boolean;
  settings: Settings | null;
  /** A chat answered with the server's setup hint: no model is configured. */
  noModelHint: boolean;
  settingsOpen: boolean;
  /** The settings dialog's open tab. */
  settingsTab: SettingsTab;
  searchOpen: boolean;
  navOpen: boolean;
  toasts: Toast[];
  confirm: ConfirmRequest | null;
  /** Session whose title is being edited inline (sidebar or chat header). */
  renaming: { id: string; where: 'sidebar' | 'header' } | null;
}

export interface ChatState {
  route: Route;
  /** The session on screen; for a new chat, the id the server gave it (null until then). */
  sessionId: string | null;
  /** A new chat: nothing sent yet, so it is not in the sidebar. */
  draft: boolean;
  messages: ChatMessage[];
  loading: boolean;
  loadError: string | null;
  streaming: boolean;
  /** Sessions of other channels (Telegram, …): the dashboard shows them but cannot reply there. */
  readOnly: boolean;
  /** Search text to scroll to and highlight once the history is on screen. */
  find: string | null;
  /** A title learned outside the list (from a search hit), for sessions not loaded in the sidebar. */
  knownTitle: string | null;
}

export interface SessionsState {
  items: SessionSummary[];
  total: number;
  loaded: boolean;
  loading: boolean;
  done: boolean;
  error: string | null;
}

export const app = createStore<AppState>({
  auth: 'checking',
  loginMessage: null,
  conn: 'connecting',
  everConnected: false,
  settings: null,
  noModelHint: false,
  settingsOpen: false,
  settingsTab: 'general',
  searchOpen: false,
  navOpen: false,
  toasts: [],
  confirm: null,
  renaming: null,
});

export const chat = createStore<ChatState>({
  route: { kind: 'new' },
  sessionId: null,
  draft: true,
  messages: [],
  loading: false,
  loadError: null,
  streaming: false,
  readOnly: false,
  find: null,
  knownTitle: null,
});

/** A tool call that plan mode holds for the owner's approval (`plan_proposed`, spec §3.15). */
export interface PlanCard {
  id: string;
  sessionKey: string;
  tool: string;
  args: unknown;
  expiresAt: string;
  /** Why it is held when plan mode is not the reason (e.g. no sandbox for the shell). */
  reason?: string;
  /** `sending`: a decision is on its way; the rest are outcomes. */
  status: 'pending' | 'sending' | 'approved' | 'rejected' | 'expired' | 'error';
  /** The decision being sent (for the label of the `sending` state). */
  decision?: 'approve' | 'reject';
  error?: string;
}

/** Plans by session id (`websocket_<chatId>`): shown in that session's chat. */
export const plans = createStore<{ bySession: Record<string, PlanCard> }>({ bySession: {} });

export const sessions = createStore<SessionsState>({
  items: [], total: 0, loaded: false, loading: false, done: false, error: null,
});
