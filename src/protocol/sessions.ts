/**
 * Session shapes on the wire (spec §3.1, §3.2, §4.4), shared by the server and the dashboard.
 * Types and pure helpers only, with no imports, so the dashboard bundle pulls in nothing else.
 */

/** Legacy list row and the `session` of a `session_updated` frame: every index field, `user_title` only when renamed. */
export interface SessionSummary {
  id: string;
  title: string;
  channel: string;
  created: string;
  last_activity: string;
  message_count: number;
  preview: string;
  user_title?: string;
  /** Ours: the chat's own model, `<provider>:<model id>`, when one is set (spec §4.7). */
  model?: string;
}

/** `/api/v1/sessions` rows: exactly these five fields. */
export interface V1SessionSummary {
  id: string;
  title: string;
  channel: string;
  last_activity: string;
  message_count: number;
}

/** One search result (spec §3.2): the session and the message text that matched. */
export interface SearchHit {
  id: string;
  title: string;
  channel: string;
  match: string;
  match_role: string;
  last_activity: string;
}

/** One tool call of an answer, as stored with it (spec §4.7). */
export interface ToolStep {
  name: string;
  params?: unknown;
  result: string;
  status: 'success' | 'error';
  duration_ms?: number;
  /** The MCP server that provides the tool (MCP tools only). */
  server?: string;
}

/** A file sent with a user message (spec §4.7); served by `GET /api/v1/media/{id}`. */
export interface AttachmentInfo {
  id: string;
  name: string;
  mime_type: string;
  size: number;
}

/** A message's place among its siblings: "2/3" (spec §4.7). */
export interface MessageVersions {
  /** 1-based. */
  index: number;
  count: number;
  ids: string[];
}

/**
 * One message of `GET /api/sessions/{id}/history` and of a `session_history` frame. PocketPaw's
 * fields are `role` and `content`; the rest are ours (spec §4.7), present when they apply.
 */
export interface HistoryMessage {
  role: string;
  content: string;
  id?: string;
  timestamp?: string;
  versions?: MessageVersions;
  steps?: ToolStep[];
  reasoning?: string;
  error?: string;
  interrupted?: boolean;
  model?: string;
  attachments?: AttachmentInfo[];
}

/** PocketPaw's suffix on a stopped answer's stored content (spec §4.3). */
export const INTERRUPTED_MARKER = '\n\n[Response interrupted]';

/** The longest title a rename accepts, in code points (spec §3.1). */
export const TITLE_MAX = 200;

/**
 * The public session id of a session key or colon-form id (spec §3.1, §7.1):
 * `websocket:abc` → `websocket_abc`. Path separators become `_` too, so an id is never a path.
 */
export function toSessionId(key: string): string {
  return key.replace(/[:/\\]/g, '_');
}

/** The session id of a dashboard chat (`websocket_<chat id>`). */
export function dashboardSessionId(chatId: string): string {
  return `websocket_${chatId}`;
}

/** Whether a session belongs to a dashboard chat, so the dashboard may write to it. */
export function isDashboardSession(sessionId: string): boolean {
  return sessionId.startsWith('websocket_');
}
