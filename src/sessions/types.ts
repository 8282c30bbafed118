/** The session model of spec §7.3, as rows rather than PocketPaw's `_index.json`. */
export interface SessionRecord {
  id: string;
  /** Effective title: user_title, else the derived title, else "New Chat". */
  title: string;
  user_title: string | null;
  channel: string;
  created: string;
  last_activity: string;
  message_count: number;
  preview: string;
  /** The chat's own model, `<provider>:<model id>` (spec §4.7); null: the settings' model. */
  model: string | null;
}

export interface MessageRecord {
  id: string;
  role: string;
  content: string;
  timestamp: string;
  metadata: Record<string, unknown>;
}

export interface NewMessage {
  id: string;
  role: string;
  content: string;
  timestamp: string;
  metadata?: Record<string, unknown>;
}

/** A stored message with its place in the conversation tree (spec §4.7). */
export interface TreeMessage extends MessageRecord {
  parent_id: string | null;
  /** On the session's active branch. */
  active: boolean;
  /** Number of replies (children). */
  children: number;
}

export type { MessageVersions, SearchHit } from '../protocol/sessions.js';
import type { MessageVersions, SearchHit } from '../protocol/sessions.js';

/** `SessionStore.merge` inside an import batch. */
export type SessionMerge = (id: string, channel: string, messages: NewMessage[], userTitle: string | null) => ImportResult;

export interface ImportResult {
  created: boolean;
  messagesAdded: number;
}

/**
 * Storage of sessions and messages. The SQLite implementation is the only one today; the
 * interface is what a Postgres store would implement.
 */
export interface SessionStore {
  /** Newest activity first; `before`/`beforeId` continue after the last row of a previous page. */
  list(limit: number, before?: string, beforeId?: string): SessionRecord[];
  count(): number;
  /** Sessions whose id starts with `prefix` (a chat and its `/new` sessions), newest first. */
  listWithPrefix(prefix: string, limit: number): SessionRecord[];
  get(id: string): SessionRecord | undefined;
  /** Sets the user title; false when the session does not exist. Resolves once it is on disk. */
  rename(id: string, title: string): Promise<boolean>;
  /** Replaces the derived title (a model-written one); the user's title still wins. */
  setAutoTitle(id: string, title: string): boolean;
  /** Removes the session and its messages; false when it does not exist. Resolves once it is on disk. */
  delete(id: string): Promise<boolean>;
  /** Last `limit` messages of the active branch, oldest first. */
  history(id: string, limit: number): MessageRecord[];
  /** All messages of the active branch, oldest first. */
  messages(id: string): MessageRecord[];
  /** One message, on the active branch or not. */
  message(id: string, messageId: string): TreeMessage | undefined;
  /**
   * Makes the branch root → `messageId` active (null: no message, an empty branch, so the next
   * append starts a new root). With `descend`, the branch continues to the newest leaf below it.
   */
  activate(id: string, messageId: string | null, descend: boolean): void;
  /** Removes a message that has no replies (a failed answer being replaced); false otherwise. */
  deleteLeaf(id: string, messageId: string): boolean;
  /** Rewrites a message's content and metadata (an answer being continued). */
  updateMessage(id: string, messageId: string, content: string, metadata: Record<string, unknown>): boolean;
  /** For messages of the active branch that have siblings: their place among them. */
  versions(id: string): Map<string, MessageVersions>;
  /** Sets or clears the chat's own model; false when the session does not exist. */
  setModel(id: string, model: string | null): boolean;
  search(query: string, limit: number): SearchHit[];
  /** Appends messages after the active branch's leaf, creating the session when needed, in one transaction. */
  append(id: string, channel: string, messages: NewMessage[]): SessionRecord;
  /**
   * `append`, with the commit's fsync off the event loop (a group commit): resolves once the
   * messages are on disk. For a chat turn's message, whose fsync would otherwise hold up
   * everything else the server does, the model's stream included.
   */
  appendDurably(id: string, channel: string, messages: NewMessage[]): Promise<SessionRecord>;
  /**
   * Merges a session from another store (import): messages whose id is already present are
   * skipped; `userTitle` is applied only when the session has none yet.
   */
  merge(id: string, channel: string, messages: NewMessage[], userTitle: string | null): ImportResult;
  /**
   * Runs `fn` as one transaction (one commit, one fsync) in which `merge` works like `merge`
   * above, for bulk work such as import. All or nothing: when `fn` or a merge throws, nothing
   * of the batch is kept, so a write must not be left to fail (check the input first).
   */
  importBatch<T>(fn: (merge: SessionMerge) => T): T;
}
