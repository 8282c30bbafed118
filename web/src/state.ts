import { isDashboardSession, TITLE_MAX, toSessionId, type FrameOf, type HistoryMessage, type NoticeKind, type ServerFrame, type SessionSummary } from '@protocol';
import { api, ApiError, PAGE_SIZE, setUnauthorizedHandler, type Settings } from './api';
import { navigate, onRouteChange, parseRoute, replaceRoute, sessionHref, type Route } from './router';
import { createStore } from './store';
import { ChatSocket, type ConnStatus } from './ws';

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

export interface ToolPart {
  type: 'tool';
  id: number;
  name: string;
  params: unknown;
  result?: string;
  status: 'running' | 'success' | 'error';
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

export interface AppState {
  auth: 'checking' | 'ok' | 'login';
  loginMessage: string | null;
  conn: ConnStatus;
  everConnected: boolean;
  settings: Settings | null;
  /** A chat answered with the server's setup hint: no model is configured. */
  noModelHint: boolean;
  settingsOpen: boolean;
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

// ---------------------------------------------------------------------------------------------
// Toasts and dialogs
// ---------------------------------------------------------------------------------------------

let toastSeq = 1;
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = toastSeq++;
  app.set((s) => ({ toasts: [...s.toasts.slice(-2), { id, text, kind }] }));
  setTimeout(() => dismissToast(id), kind === 'error' ? 8000 : 4000);
}
export function dismissToast(id: number): void {
  app.set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

export const openSettings = () => app.set({ settingsOpen: true, navOpen: false });
export const closeSettings = () => app.set({ settingsOpen: false });
export const openSearch = () => app.set({ searchOpen: true, navOpen: false });
export const closeSearch = () => app.set({ searchOpen: false });
export const setNavOpen = (open: boolean) => app.set({ navOpen: open });

// ---------------------------------------------------------------------------------------------
// Sessions list
// ---------------------------------------------------------------------------------------------

/** Server order: last activity descending, then id descending. */
function newerFirst(a: SessionSummary, b: SessionSummary): number {
  if (a.last_activity !== b.last_activity) return a.last_activity > b.last_activity ? -1 : 1;
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
}

function mergeUnique(a: SessionSummary[], b: SessionSummary[]): SessionSummary[] {
  const byId = new Map<string, SessionSummary>();
  for (const s of [...a, ...b]) {
    const prev = byId.get(s.id);
    if (!prev || s.last_activity >= prev.last_activity) byId.set(s.id, s);
  }
  return [...byId.values()].sort(newerFirst);
}

export async function loadFirstPage(quiet401 = false): Promise<void> {
  sessions.set({ loading: true, error: null });
  try {
    const res = await api.listSessions(undefined, PAGE_SIZE, { quiet401 });
    sessions.set((s) => ({
      items: mergeUnique(s.items, res.sessions),
      total: res.total,
      loaded: true,
      loading: false,
      done: s.loaded ? s.done : res.sessions.length < PAGE_SIZE,
    }));
  } catch (err) {
    sessions.set({ loading: false, loaded: true, error: (err as Error).message });
    throw err;
  }
}

/**
 * Next page of the infinite scroll. The cursor is `before=<last_activity>`, which skips
 * sessions that share the boundary's timestamp; asking for `before=<last_activity + ' '>`
 * includes the boundary again (any suffix sorts after the timestamp itself), and the repeats
 * are dropped by id.
 */
export async function loadMore(): Promise<void> {
  const st = sessions.get();
  if (st.loading || st.done || !st.loaded) return;
  const last = st.items[st.items.length - 1];
  if (!last) {
    sessions.set({ done: true });
    return;
  }
  sessions.set({ loading: true, error: null });
  try {
    let res = await api.listSessions(`${last.last_activity} `);
    const known = new Set(sessions.get().items.map((s) => s.id));
    let fresh = res.sessions.filter((s) => !known.has(s.id));
    if (fresh.length === 0 && res.sessions.length === PAGE_SIZE) {
      // A whole page of one timestamp: step past it (the server's cursor cannot split it).
      res = await api.listSessions(last.last_activity);
      fresh = res.sessions.filter((s) => !known.has(s.id));
    }
    const done = res.sessions.length < PAGE_SIZE;
    sessions.set((s) => ({ items: [...s.items, ...fresh.filter((f) => !s.items.some((x) => x.id === f.id))], total: res.total, loading: false, done }));
  } catch (err) {
    sessions.set({ loading: false, error: (err as Error).message });
  }
}

export function upsertSession(s: SessionSummary): void {
  sessions.set((st) => {
    const idx = st.items.findIndex((x) => x.id === s.id);
    const items = idx >= 0 ? [...st.items.slice(0, idx), ...st.items.slice(idx + 1)] : [...st.items];
    const last = items[items.length - 1];
    // Older than everything loaded and not on screen yet: it arrives with its page.
    if (idx < 0 && !st.done && last && newerFirst(s, last) > 0) return {};
    let at = items.findIndex((x) => newerFirst(s, x) < 0);
    if (at < 0) at = items.length;
    items.splice(at, 0, s);
    const isNew = idx < 0 && s.created === s.last_activity;
    return { items, total: st.total + (isNew ? 1 : 0) };
  });
}

export function removeSession(id: string): void {
  sessions.set((st) => {
    const items = st.items.filter((x) => x.id !== id);
    return items.length === st.items.length ? {} : { items, total: Math.max(0, st.total - 1) };
  });
}

export function findSession(id: string | null): SessionSummary | undefined {
  return id ? sessions.get().items.find((s) => s.id === id) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Session actions
// ---------------------------------------------------------------------------------------------

/** Returns an error message to show, or null when renamed. */
export async function renameSession(id: string, raw: string): Promise<string | null> {
  const title = raw.trim();
  if (!title) return 'A title can’t be empty.';
  if ([...title].length > TITLE_MAX) return `A title can have at most ${TITLE_MAX} characters.`;
  try {
    await api.rename(id, title);
  } catch (err) {
    return (err as Error).message;
  }
  const s = findSession(id);
  if (s) upsertSession({ ...s, title, user_title: title });
  if (chat.get().sessionId === id) chat.set({ knownTitle: title });
  return null;
}

export function confirmDelete(id: string): void {
  const s = findSession(id);
  const title = s?.title ?? chat.get().knownTitle ?? 'this conversation';
  const count = s ? ` and its ${s.message_count} message${s.message_count === 1 ? '' : 's'}` : '';
  app.set({
    confirm: {
      title: 'Delete conversation?',
      body: `“${title}”${count} will be deleted for good.`,
      confirmLabel: 'Delete',
      danger: true,
      onConfirm: () => deleteSession(id),
    },
  });
}

export async function deleteSession(id: string): Promise<void> {
  try {
    await api.remove(id);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) {
      toast(`Could not delete: ${(err as Error).message}`, 'error');
      return;
    }
  }
  removeSession(id);
  toast('Conversation deleted.');
  if (chat.get().sessionId === id) navigate('#/');
}

export async function exportSession(id: string, format: 'md' | 'json'): Promise<void> {
  try {
    const { filename, blob } = await api.exportSession(id, format);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    const msg = err instanceof ApiError && err.status === 404 ? 'This conversation has no messages to export yet.' : (err as Error).message;
    toast(`Export failed: ${msg}`, 'error');
  }
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

export async function loadSettings(): Promise<void> {
  try {
    app.set({ settings: await api.getSettings() });
  } catch {
    // shown as "unknown" in the panel; the chat still works
  }
}

/** true: a model is set up; false: none is; 'maybe': automatic mode will look for a local Ollama. */
export function modelConfigured(s: Settings | null): boolean | 'maybe' {
  if (!s) return true;
  const has = (k: string) => s[`has_${k}`] === true;
  const compat = Boolean(s.openai_compatible_base_url) && Boolean(s.openai_compatible_model);
  switch (s.llm_provider) {
    case 'anthropic': return has('anthropic_api_key');
    case 'openai': return has('openai_api_key');
    case 'openai_compatible': return compat;
    case 'ollama': return true;
    default: return has('anthropic_api_key') || has('openai_api_key') || compat ? true : 'maybe';
  }
}

// ---------------------------------------------------------------------------------------------
// Chat over the WebSocket
// ---------------------------------------------------------------------------------------------

const INTERRUPTED = '\n\n[Response interrupted]';

let socket: ChatSocket | null = null;
let keySeq = 1;
/** Frames of the previous chat may still be in flight after a switch: ignore them until the reply. */
let barrier: { kind: 'switch'; id: string } | { kind: 'new' } | null = null;
let turn: { key: number; stopRequested: boolean; errorText: string | null; adopted: boolean } | null = null;
let queuedChat: string | null = null;
let pendingText = '';
let flushHandle = 0;
let historyAbort: AbortController | null = null;
let pendingFind: { id: string; q: string; title: string } | null = null;
let resyncOnUpdate = false;
let reconnecting = false;

function historyToMessages(history: HistoryMessage[]): ChatMessage[] {
  return history.map((m) => {
    let content = m.content;
    let status: ChatMessage['status'] = 'done';
    if (m.role === 'assistant' && content.endsWith(INTERRUPTED)) {
      content = content.slice(0, -INTERRUPTED.length);
      status = 'stopped';
    } else if (m.role === 'assistant' && content === '[Response interrupted]') {
      content = '';
      status = 'stopped';
    }
    return { key: keySeq++, role: m.role === 'assistant' ? 'assistant' : 'user', parts: content ? [{ type: 'text', text: content }] : [], status };
  });
}

async function loadHistory(id: string): Promise<void> {
  historyAbort?.abort();
  const ctl = new AbortController();
  historyAbort = ctl;
  try {
    const history = await api.history(id, ctl.signal);
    if (chat.get().sessionId !== id) return;
    const loaded = historyToMessages(history);
    // Anything sent while the history was on its way stays, after it.
    chat.set((c) => ({ messages: [...loaded, ...c.messages], loading: false, loadError: null }));
  } catch (err) {
    if ((err as Error).name === 'AbortError' || chat.get().sessionId !== id) return;
    chat.set({ loading: false, loadError: (err as Error).message });
  }
}

export function retryHistory(): void {
  const id = chat.get().sessionId;
  if (!id) return;
  chat.set({ loading: true, loadError: null, messages: [] });
  void loadHistory(id);
}

function updateMessage(key: number, fn: (m: ChatMessage) => ChatMessage): void {
  chat.set((c) => ({ messages: c.messages.map((m) => (m.key === key ? fn(m) : m)) }));
}

function currentMessage(): ChatMessage | undefined {
  return turn ? chat.get().messages.find((m) => m.key === turn!.key) : undefined;
}

/** Chunks are applied once per frame: a fast stream re-renders 60 times a second, not 600. */
function flushText(): void {
  if (flushHandle) {
    cancelAnimationFrame(flushHandle);
    flushHandle = 0;
  }
  if (!pendingText || !turn) {
    pendingText = '';
    return;
  }
  const text = pendingText;
  pendingText = '';
  let msg = currentMessage();
  if (msg && msg.kind) {
    // A notice filled the placeholder; the streamed answer gets its own bubble.
    const fresh: ChatMessage = { key: keySeq++, role: 'assistant', parts: [], status: 'streaming' };
    chat.set((c) => ({ messages: [...c.messages, fresh] }));
    turn.key = fresh.key;
    msg = fresh;
  }
  updateMessage(turn.key, (m) => {
    const parts = [...m.parts];
    const last = parts[parts.length - 1];
    if (last?.type === 'text') parts[parts.length - 1] = { type: 'text', text: last.text + text };
    else parts.push({ type: 'text', text });
    return { ...m, parts };
  });
}

function appendText(text: string): void {
  pendingText += text;
  if (!flushHandle) flushHandle = requestAnimationFrame(() => {
    flushHandle = 0;
    flushText();
  });
}

function adoptTurn(): void {
  // Output of a turn this tab did not start (it took the chat over): show it as it comes.
  const msg: ChatMessage = { key: keySeq++, role: 'assistant', parts: [], status: 'streaming' };
  turn = { key: msg.key, stopRequested: false, errorText: null, adopted: true };
  chat.set((c) => ({ messages: [...c.messages, msg], streaming: true }));
}

/** A whole message inside a turn. Its `notice` field says what it is; without one (PocketPaw) it is a plain notice. */
function addNotice(content: string, notice: NoticeKind | undefined): void {
  const kind: ChatMessage['kind'] = notice === 'no_model' ? 'setup' : notice === 'failure' ? 'failure' : 'notice';
  if (kind === 'setup') app.set({ noModelHint: true });
  const msg = currentMessage();
  if (msg && msg.parts.length === 0 && !msg.kind) {
    updateMessage(msg.key, (m) => ({ ...m, kind, parts: [{ type: 'text', text: content }], error: kind === 'failure' ? content : undefined }));
  } else {
    const fresh: ChatMessage = { key: keySeq++, role: 'assistant', kind, parts: [{ type: 'text', text: content }], status: 'done', error: kind === 'failure' ? content : undefined };
    chat.set((c) => ({ messages: [...c.messages, fresh] }));
  }
}

function finishTurn(): void {
  flushText();
  if (!turn) return;
  const t = turn;
  turn = null;
  const sid = chat.get().sessionId;
  const card = sid ? plans.get().bySession[sid] : undefined;
  if (sid && card && (card.status === 'pending' || card.status === 'sending')) setPlan(sid, null);
  updateMessage(t.key, (m) => ({
    ...m,
    status: t.stopRequested ? 'stopped' : m.error || m.kind === 'failure' ? 'error' : 'done',
    parts: m.parts.map((p) => (p.type === 'tool' && p.status === 'running' ? { ...p, status: 'success' as const } : p.type === 'thinking' ? { ...p, done: true } : p)),
  }));
  chat.set({ streaming: false });
  if (t.adopted) resyncOnUpdate = true;
}

function abandonTurn(): void {
  if (flushHandle) cancelAnimationFrame(flushHandle);
  flushHandle = 0;
  pendingText = '';
  turn = null;
  queuedChat = null;
}

function isOurSessionKey(key: unknown): boolean {
  const id = chat.get().sessionId;
  if (typeof key !== 'string' || !id) return false;
  const sid = toSessionId(key);
  return sid === id || sid.startsWith(`${id}_`);
}

function onSystemEvent(f: FrameOf<'system_event'>): void {
  const data = (f.data && typeof f.data === 'object' ? f.data : {}) as Record<string, unknown>;
  if (!turn) return;
  const key = turn.key;
  switch (f.event_type) {
    case 'tool_start':
      flushText();
      updateMessage(key, (m) => ({ ...m, parts: [...m.parts, { type: 'tool', id: keySeq++, name: String(data.name ?? 'tool'), params: data.params, status: 'running' }] }));
      return;
    case 'tool_result': {
      flushText();
      const name = String(data.name ?? '');
      const result = typeof data.result === 'string' ? data.result : JSON.stringify(data.result ?? '');
      if (name === 'agent' && data.status === 'error') {
        turn.errorText = result;
        updateMessage(key, (m) => ({ ...m, error: result }));
        return;
      }
      updateMessage(key, (m) => {
        const parts = [...m.parts];
        for (let i = parts.length - 1; i >= 0; i--) {
          const p = parts[i]!;
          if (p.type === 'tool' && p.name === name && p.status === 'running') {
            parts[i] = { ...p, result, status: data.status === 'error' ? 'error' : 'success' };
            break;
          }
        }
        return { ...m, parts };
      });
      return;
    }
    case 'thinking': {
      if (typeof data.content !== 'string' || !isOurSessionKey(data.session_key)) return;
      flushText();
      const text = data.content;
      updateMessage(key, (m) => {
        const parts = [...m.parts];
        const last = parts[parts.length - 1];
        if (last?.type === 'thinking' && !last.done) parts[parts.length - 1] = { ...last, text: last.text + text };
        else parts.push({ type: 'thinking', text, done: false });
        return { ...m, parts };
      });
      return;
    }
    case 'thinking_done':
      if (!isOurSessionKey(data.session_key)) return;
      updateMessage(key, (m) => ({ ...m, parts: m.parts.map((p) => (p.type === 'thinking' ? { ...p, done: true } : p)) }));
      return;
    case 'token_usage':
      updateMessage(key, (m) => ({ ...m, usage: data as ChatMessage['usage'] }));
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Plan mode
// ---------------------------------------------------------------------------------------------

/** How long an outcome stays on screen before the card goes away. */
const PLAN_OUTCOME_MS = 5000;
const planTimers = new Map<string, ReturnType<typeof setTimeout>>();

function setPlan(sessionId: string, card: PlanCard | null): void {
  clearTimeout(planTimers.get(sessionId));
  planTimers.delete(sessionId);
  plans.set((p) => {
    const bySession = { ...p.bySession };
    if (card) bySession[sessionId] = card;
    else delete bySession[sessionId];
    return { bySession };
  });
}

function patchPlan(sessionId: string, patch: Partial<PlanCard>, planId?: string): void {
  const cur = plans.get().bySession[sessionId];
  if (!cur || (planId && cur.id !== planId)) return;
  setPlan(sessionId, { ...cur, ...patch });
}

/** Shows an outcome, then removes the card (unless a newer plan replaced it). */
function settlePlan(sessionId: string, status: PlanCard['status'], error?: string): void {
  const cur = plans.get().bySession[sessionId];
  if (!cur) return;
  setPlan(sessionId, { ...cur, status, error });
  if (status === 'error') return; // stays until the owner dismisses it or tries again
  planTimers.set(sessionId, setTimeout(() => {
    if (plans.get().bySession[sessionId]?.id === cur.id) setPlan(sessionId, null);
  }, PLAN_OUTCOME_MS));
}

function onPlanProposed(f: FrameOf<'plan_proposed'>): void {
  const plan = (f.plan && typeof f.plan === 'object' ? f.plan : {}) as Record<string, unknown>;
  const sessionKey = typeof f.session_key === 'string' ? f.session_key : typeof plan.session_key === 'string' ? plan.session_key : '';
  if (!sessionKey) return;
  const sid = toSessionId(sessionKey);
  const card: PlanCard = {
    id: String(plan.id ?? ''),
    sessionKey,
    tool: String(plan.tool ?? 'tool'),
    args: plan.args,
    expiresAt: String(plan.expires_at ?? ''),
    ...(typeof plan.reason === 'string' && plan.reason ? { reason: plan.reason } : {}),
    status: 'pending',
  };
  setPlan(sid, card);
  const left = Date.parse(card.expiresAt) - Date.now();
  if (Number.isFinite(left)) {
    planTimers.set(sid, setTimeout(() => {
      const cur = plans.get().bySession[sid];
      if (cur?.id === card.id && (cur.status === 'pending' || cur.status === 'sending')) settlePlan(sid, 'expired');
    }, Math.max(0, left) + 500));
  }
}

/** The card of the session whose plan answer (or plan error) this is: the one a decision is on its way for. */
function sendingPlanOf(sessionKey: unknown): string | null {
  const all = plans.get().bySession;
  if (typeof sessionKey === 'string') {
    const sid = toSessionId(sessionKey);
    if (all[sid]) return sid;
  }
  for (const [sid, card] of Object.entries(all)) if (card.status === 'sending') return sid;
  return null;
}

/** Approves or rejects the plan shown in a session's chat. */
export function decidePlan(sessionId: string, decision: 'approve' | 'reject'): void {
  const card = plans.get().bySession[sessionId];
  if (!card || card.status === 'sending') return;
  if (!socket?.sendNow({ action: `${decision}_plan`, session_key: card.sessionKey })) {
    patchPlan(sessionId, { status: 'error', error: 'Not connected: try again once the connection is back.' });
    return;
  }
  patchPlan(sessionId, { status: 'sending', decision, error: undefined });
}

/** Drops a card (after an error the owner has read). */
export function dismissPlan(sessionId: string): void {
  setPlan(sessionId, null);
}

function onFrame(f: ServerFrame): void {
  switch (f.type) {
    case 'plan_proposed':
      onPlanProposed(f);
      return;
    case 'plan_approved':
    case 'plan_rejected': {
      const sid = sendingPlanOf(f.session_key);
      if (sid) settlePlan(sid, f.type === 'plan_approved' ? 'approved' : 'rejected');
      return;
    }
    case 'connection_info':
      return onConnected(String(f.id ?? ''));
    case 'session_history':
      if (barrier?.kind === 'switch' && f.session_id === barrier.id) barrier = null;
      return; // the history comes over REST (up to 500 messages, in parallel with the socket)
    case 'new_session': {
      if (barrier?.kind === 'new') barrier = null;
      const c = chat.get();
      if (c.draft && c.route.kind === 'new') {
        chat.set({ sessionId: String(f.id) });
        if (queuedChat !== null) {
          const text = queuedChat;
          queuedChat = null;
          dispatchChat(text);
        }
      }
      return;
    }
    case 'session_updated': {
      const s = f.session as SessionSummary | undefined;
      if (!s || typeof s.id !== 'string') return;
      upsertSession(s);
      const c = chat.get();
      if (s.id === c.sessionId) {
        if (c.draft) chat.set({ draft: false });
        if (resyncOnUpdate && !c.streaming) {
          resyncOnUpdate = false;
          void resyncHistory(s.id);
        }
      }
      return;
    }
    case 'session_deleted': {
      const id = String(f.id ?? '');
      removeSession(id);
      const c = chat.get();
      if (id && id === c.sessionId && !c.draft) {
        toast('This conversation was deleted.');
        navigate('#/');
      }
      return;
    }
    case 'error': {
      const content = String(f.content ?? 'Something went wrong.');
      // A refused plan decision belongs on its card; any other error (or one without `action`) is a toast.
      const sid = f.action === 'approve_plan' || f.action === 'reject_plan' ? sendingPlanOf(undefined) : null;
      if (sid && plans.get().bySession[sid]?.status === 'sending') settlePlan(sid, 'error', content);
      else toast(content, 'error');
      return;
    }
  }
  if (barrier) return; // chat output of the chat we just left
  switch (f.type) {
    case 'stream_start':
      if (!turn) adoptTurn();
      return;
    case 'message': {
      const content = typeof f.content === 'string' ? f.content : '';
      if (f.is_stream_chunk === true) {
        if (!turn) adoptTurn();
        if (turn!.errorText !== null && content === turn!.errorText) return; // already shown as the error
        appendText(content);
      } else {
        flushText();
        if (!turn) {
          if (content) toast(content);
          return;
        }
        addNotice(content, f.notice);
      }
      return;
    }
    case 'stream_end':
      finishTurn();
      return;
    case 'system_event':
      onSystemEvent(f);
      return;
  }
}

function onConnected(id: string): void {
  const c = chat.get();
  barrier = null;
  if (c.sessionId && !c.readOnly) {
    if (id !== c.sessionId) {
      socket!.sendNow({ action: 'switch_session', session_id: c.sessionId });
      barrier = { kind: 'switch', id: c.sessionId };
    }
  } else if (c.draft && !c.sessionId) {
    chat.set({ sessionId: id });
    if (queuedChat !== null) {
      const text = queuedChat;
      queuedChat = null;
      dispatchChat(text);
    }
  }
  if (reconnecting) {
    reconnecting = false;
    // Session events sent while we were away are lost: refresh the top of the list.
    void loadFirstPage().catch(() => undefined);
    if (turn && c.sessionId) void resyncAfterReconnect(c.sessionId);
  }
}

/**
 * The socket dropped during an answer. If the turn still runs, its remaining chunks come to the
 * new socket (it resumed the chat) and the stored answer replaces the gappy one at the end; if it
 * finished while we were away, the stored answer is already in the history.
 */
async function resyncAfterReconnect(id: string): Promise<void> {
  const t = turn;
  if (!t) return;
  resyncOnUpdate = true;
  let history: HistoryMessage[];
  try {
    history = await api.history(id);
  } catch {
    return;
  }
  if (turn !== t || chat.get().sessionId !== id) return;
  const asked = chat.get().messages.filter((m) => m.role === 'user').length;
  const stored = history.filter((m) => m.role === 'user').length;
  if (history[history.length - 1]?.role === 'assistant' && stored >= asked) {
    abandonTurn();
    resyncOnUpdate = false;
    chat.set({ messages: historyToMessages(history), streaming: false });
  }
}

/** Replaces the messages with the stored ones, without a loading flash. */
async function resyncHistory(id: string): Promise<void> {
  try {
    const history = await api.history(id);
    const c = chat.get();
    if (c.sessionId === id && !c.streaming) chat.set({ messages: historyToMessages(history) });
  } catch {
    // keep what is on screen
  }
}

function onStatus(status: ConnStatus): void {
  if (status === 'reconnecting') reconnecting = true;
  app.set((s) => ({ conn: status, everConnected: s.everConnected || status === 'open' }));
  if (status === 'unauthorized') showLogin();
}

function bindSocketTo(id: string): void {
  if (socket?.isOpen && socket.sendNow({ action: 'switch_session', session_id: id })) {
    barrier = { kind: 'switch', id };
  }
  // Not connected: the next connection resumes this session (resumeId).
}

function requestNewChat(): void {
  if (socket?.isOpen && socket.sendNow({ action: 'new_session' })) barrier = { kind: 'new' };
  // Not connected: the next connection's fresh chat id becomes this chat's.
}

function openRoute(route: Route, initial = false): void {
  const c = chat.get();
  app.set({ navOpen: false });
  if (route.kind === 'session') {
    const find = pendingFind && pendingFind.id === route.id ? pendingFind : null;
    pendingFind = null;
    if (!initial && c.sessionId === route.id) {
      chat.set({ route, draft: false, ...(find ? { find: find.q } : {}) });
      return;
    }
    abandonTurn();
    const readOnly = !isDashboardSession(route.id);
    chat.set({
      route, sessionId: route.id, draft: false, messages: [], loading: true, loadError: null,
      streaming: false, readOnly, find: find?.q ?? null, knownTitle: find?.title ?? null,
    });
    void loadHistory(route.id);
    if (!readOnly) bindSocketTo(route.id);
    return;
  }
  if (!initial && c.route.kind === 'new' && c.draft && c.messages.length === 0) return;
  abandonTurn();
  chat.set({ route, sessionId: null, draft: true, messages: [], loading: false, loadError: null, streaming: false, readOnly: false, find: null, knownTitle: null });
  if (!initial) requestNewChat();
}

function dispatchChat(text: string): void {
  const c = chat.get();
  socket?.send({ action: 'chat', message: text });
  if (c.route.kind === 'new' && c.sessionId) {
    replaceRoute(sessionHref(c.sessionId));
    chat.set({ route: { kind: 'session', id: c.sessionId } });
  }
}

/** Sends a chat message; false when it cannot be sent now. */
export function sendMessage(text: string): boolean {
  const c = chat.get();
  if (!text.trim() || c.streaming || c.readOnly || !socket) return false;
  const user: ChatMessage = { key: keySeq++, role: 'user', parts: [{ type: 'text', text }], status: 'done' };
  const answer: ChatMessage = { key: keySeq++, role: 'assistant', parts: [], status: 'streaming' };
  turn = { key: answer.key, stopRequested: false, errorText: null, adopted: false };
  chat.set({ messages: [...c.messages, user, answer], streaming: true, find: null });
  if (!c.sessionId || barrier?.kind === 'new') queuedChat = text;
  else dispatchChat(text);
  return true;
}

export function stopStreaming(): void {
  if (!turn) return;
  turn.stopRequested = true;
  if (!socket?.sendNow({ action: 'stop' })) toast('Not connected: the answer cannot be stopped right now.', 'error');
}

/** The last thing the user asked, for "Try again". */
export function retryLast(): void {
  const msgs = chat.get().messages;
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i]!;
    if (m.role === 'user') {
      const text = m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
      sendMessage(text);
      return;
    }
  }
}

export function newChat(): void {
  if (location.hash === '' || location.hash === '#/' || location.hash === '#') {
    openRoute({ kind: 'new' });
  } else {
    navigate('#/');
  }
  app.set({ navOpen: false });
}

/** Opens a search hit: the session, scrolled to the first message containing `q`. */
export function openSearchHit(id: string, q: string, title: string): void {
  app.set({ searchOpen: false });
  pendingFind = { id, q, title };
  if (chat.get().sessionId === id) {
    pendingFind = null;
    chat.set({ find: null });
    queueMicrotask(() => chat.set({ find: q }));
  } else {
    navigate(sessionHref(id));
  }
}

// ---------------------------------------------------------------------------------------------
// Boot, login, logout
// ---------------------------------------------------------------------------------------------

function showLogin(message: string | null = null): void {
  socket?.close();
  socket = null;
  abandonTurn();
  app.set((s) => ({ auth: 'login', loginMessage: message ?? s.loginMessage, settingsOpen: false, searchOpen: false, confirm: null }));
}

async function enterApp(): Promise<void> {
  app.set({ auth: 'checking' });
  // List, history and socket start together: the first paint waits for the slowest, not the sum.
  // The list goes first: it is what the page is oriented by.
  const firstPage = loadFirstPage(true);
  openRoute(parseRoute(), true);
  socket = new ChatSocket({
    resumeId: () => {
      const c = chat.get();
      return c.sessionId && !c.readOnly ? c.sessionId : null;
    },
    onFrame,
    onStatus,
  });
  socket.connect();
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
