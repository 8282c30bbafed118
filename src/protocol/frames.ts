import type { HistoryMessage, SessionSummary } from './sessions.js';

/**
 * The WebSocket protocol (spec §4), shared by the server and the dashboard. Types only: frames
 * are plain JSON objects. PocketPaw's own clients see the same frames; the fields marked
 * "ours" are additions they ignore.
 */

/**
 * What a whole (non-streamed) `message` frame is, so a client can decide by a field rather than
 * by matching text (ours):
 * - `command`: the reply to a slash command;
 * - `no_model`: no model is set up; the content says how (guidance, never stored);
 * - `failure`: the turn failed on the server; the content says why;
 * - `blocked`: the injection filter refused the message;
 * - `settings`: settings were saved;
 * - `intention`: the answer of a scheduled intention run;
 * - `vision`: the model cannot see images, so it got only the attached files' names (spec §4.7).
 */
export type NoticeKind = 'command' | 'no_model' | 'failure' | 'blocked' | 'settings' | 'intention' | 'vision';

export interface MessageFrame {
  type: 'message';
  content: string;
  is_stream_chunk?: boolean;
  metadata?: Record<string, unknown>;
  /** Ours: set on whole messages that are not part of the answer. */
  notice?: NoticeKind;
  intention_id?: string;
}

/**
 * An error answering a client action. `action` (ours) names the action it answers, when it
 * answers one, so a client can tell a refused plan decision from a refused setting.
 */
export interface ErrorFrame {
  type: 'error';
  content: string;
  action?: string;
}

/** `system_event` frames (spec §4.4) and the `data` each carries. */
export type SystemEvent =
  | { event_type: 'thinking'; data: { session_key?: string; content?: string } }
  | { event_type: 'thinking_done'; data: { session_key?: string } }
  | { event_type: 'token_usage'; data: { input_tokens: number; output_tokens: number; total_tokens: number } }
  /** `server` (ours): the MCP server that provides the tool, on MCP tools' frames. */
  | { event_type: 'tool_start'; data: { name: string; params?: unknown; server?: string } }
  | { event_type: 'tool_result'; data: { name: string; result: unknown; status: 'success' | 'error'; server?: string } }
  | { event_type: 'error'; data: { message: string; patterns?: string[] } }
  | { event_type: 'audit_entry'; data: Record<string, unknown> };
export type SystemEventFrame = { type: 'system_event' } & SystemEvent;

/** A plan proposed in plan mode (spec §4.4, §10): what the agent wants to run, awaiting the owner. */
export interface PlanProposedFrame {
  type: 'plan_proposed';
  session_key: string;
  plan: Record<string, unknown> & { steps?: unknown[] };
}

/** Every frame the server sends. Frames of later features join this union. */
export type ServerFrame =
  | MessageFrame
  | ErrorFrame
  | SystemEventFrame
  | PlanProposedFrame
  | { type: 'connection_info'; content: string; id: string }
  | { type: 'stream_start' }
  | StreamEndFrame
  | { type: 'new_session'; id: string }
  | { type: 'session_history'; session_id: string; messages: HistoryMessage[] }
  | { type: 'session_updated'; session: SessionSummary }
  | { type: 'session_deleted'; id: string }
  | { type: 'plan_approved' | 'plan_rejected'; session_key: string }
  | { type: 'notification'; content: string }
  | { type: 'settings'; content: Record<string, unknown> }
  | { type: 'reminder'; content?: unknown; reminder?: unknown }
  | McpOAuthRedirectFrame
  | FeatureFrame;

/** The end of a turn. The ids (ours, spec §4.7) name what the turn stored. */
export interface StreamEndFrame {
  type: 'stream_end';
  media?: string[];
  session_id?: string;
  user_message_id?: string;
  message_id?: string;
}

/** A remote MCP server needs the owner to sign in: the dashboard opens `url` (spec §4.4). */
export interface McpOAuthRedirectFrame {
  type: 'mcp_oauth_redirect';
  /** The authorization server's page (http or https only). */
  url: string;
  /** The MCP server's configured name. */
  server: string;
}

/**
 * Frames of the feature panels (reminders, intentions, skills, health, files, status), answers
 * to their own actions (spec §4.3, §4.4); their fields are each feature's own records.
 */
export interface FeatureFrame {
  type:
    | 'reminders' | 'reminder_added' | 'reminder_deleted'
    | 'intentions' | 'intention_created' | 'intention_updated' | 'intention_deleted' | 'intention_toggled'
    | 'intention_started' | 'intention_completed' | 'intention_error'
    | 'skills' | 'skill_started' | 'skill_completed' | 'skill_error'
    | 'health_update' | 'health_errors' | 'files' | 'status';
  [field: string]: unknown;
}

/** The frame of one `type`, for handlers that take a single kind. */
export type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
