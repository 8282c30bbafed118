import { NotFoundError } from '../lib/errors.js';
import { redact, redactDeep, redactTruncated } from '../security/redact.js';
import { SecretValues } from '../security/secret-values.js';
import type { SessionEvents } from './events.js';
import { exportSession, type ExportFile, type ExportFormat } from './export.js';
import { isPlausibleSessionId, toSessionId } from './ids.js';
import { MATCH_CHARS } from './sqlite-search.js';
import { PREVIEW_CHARS, TITLE_CHARS } from './sqlite-store.js';
import { toHistoryMessage } from './history-view.js';
import type { HistoryMessage } from '../protocol/sessions.js';
import type { MessageRecord, NewMessage, SearchHit, SessionRecord, SessionStore, TreeMessage } from './types.js';

const SESSION_NOT_FOUND = 'Session not found';

/** The answer to a branch change while a turn is writing to the session (spec §4.7). */
export const BUSY = 'Wait for the current answer to finish (or stop it) first.';

/**
 * Session operations shared by the HTTP routes, the WebSocket, the CLI and the chat loop.
 * Ids may come in colon form; they are mapped to stored ids here.
 *
 * Secrets never leave (spec §6.1): everything this returns for clients — lists (titles,
 * previews), search hits, history, exports, and the records sent with `updated` events — is
 * redacted here, with the exact values of `secrets` (master token, saved keys) as well as the
 * patterns. Stored text stays as it was. Only `rawHistory` (the model's own context) is raw.
 */
export class SessionService {
  constructor(
    private readonly store: SessionStore,
    readonly events: SessionEvents,
    /** Exact secret values to redact; the app context passes the server's (see appSecretValues). */
    readonly secrets: SecretValues = SecretValues.none(),
  ) {}

  /** `redact()` with this service's secret values: for any other text bound for a client. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Redacts text that is the first `max` code points of a message: a secret cut at the end goes too. */
  private redactCut(text: string, max: number): string {
    return [...text].length >= max ? redactTruncated(text, this.secrets) : this.redact(text);
  }

  private redactSession(s: SessionRecord): SessionRecord {
    return {
      ...s,
      // A derived title is the start of the first message; the user's own title is never cut.
      title: s.user_title === null ? this.redactCut(s.title, TITLE_CHARS) : this.redact(s.title),
      user_title: s.user_title === null ? null : this.redact(s.user_title),
      preview: this.redactCut(s.preview, PREVIEW_CHARS),
    };
  }

  /** Newest activity first; titles and previews redacted. */
  list(limit: number, before?: string, beforeId?: string): { sessions: SessionRecord[]; total: number } {
    const rows = limit > 0 ? this.store.list(limit, before, beforeId) : [];
    return { sessions: rows.map((s) => this.redactSession(s)), total: this.store.count() };
  }

  /** A chat's sessions (slash commands, session tools, CLI); titles and previews redacted. */
  listWithPrefix(prefix: string, limit: number): SessionRecord[] {
    return this.store.listWithPrefix(prefix, limit).map((s) => this.redactSession(s));
  }

  /** Search hits with the title and the matched text redacted. */
  search(query: string, limit: number): SearchHit[] {
    return this.store.search(query, limit).map((h) => ({
      ...h,
      title: this.redactCut(h.title, TITLE_CHARS),
      match: this.redactCut(h.match, MATCH_CHARS),
    }));
  }

  find(rawId: string): SessionRecord | undefined {
    const id = toSessionId(rawId);
    return isPlausibleSessionId(id) ? this.store.get(id) : undefined;
  }

  async rename(rawId: string, title: string): Promise<void> {
    const session = this.find(rawId);
    if (!session || !(await this.store.rename(session.id, title))) throw new NotFoundError(SESSION_NOT_FOUND);
    // A delete may have landed while the rename was being synced: then there is nothing to announce.
    this.emitUpdated(session.id);
  }

  /** A model-written title; never shadows a title the user set. */
  setAutoTitle(id: string, title: string): void {
    if (this.store.setAutoTitle(id, title)) this.emitUpdated(id);
  }

  async delete(rawId: string): Promise<void> {
    const session = this.find(rawId);
    if (!session || !(await this.store.delete(session.id))) throw new NotFoundError(SESSION_NOT_FOUND);
    this.events.emit('deleted', session.id);
  }

  /**
   * Last `limit` messages, redacted: what clients get (REST history, the WebSocket's
   * `session_history`). Unknown sessions have an empty history.
   */
  history(rawId: string, limit: number): MessageRecord[] {
    return this.rawHistory(rawId, limit).map((m) => this.redactMessage(m));
  }

  /**
   * The active branch's last `limit` messages with our additions (ids, versions, tool steps,
   * reasoning, errors, attachments; spec §4.7), redacted: the v1 history and `session_history`.
   */
  historyView(rawId: string, limit: number): HistoryMessage[] {
    const session = this.find(rawId);
    if (!session || limit <= 0) return [];
    const versions = this.store.versions(session.id);
    return this.store.history(session.id, limit).map((m) => toHistoryMessage(this.redactMessage(m), versions.get(m.id)));
  }

  /** One stored message (on the active branch or not), raw: for the chat service's branch actions. */
  message(rawId: string, messageId: string): TreeMessage | undefined {
    const session = this.find(rawId);
    return session && this.store.message(session.id, messageId);
  }

  /** Makes the branch through `messageId` active, down to its newest leaf (the dashboard's "‹ 2/3 ›"). */
  switchBranch(rawId: string, messageId: string): void {
    const session = this.find(rawId);
    if (!session) throw new NotFoundError(SESSION_NOT_FOUND);
    if (!this.store.message(session.id, messageId)) throw new NotFoundError('Message not found in this session');
    this.store.activate(session.id, messageId, true);
    this.emitUpdated(session.id);
  }

  /** Moves the active branch's end to `messageId` (null: before the first message) for a new reply. */
  activate(sessionId: string, messageId: string | null): void {
    this.store.activate(sessionId, messageId, false);
  }

  deleteLeaf(sessionId: string, messageId: string): boolean {
    return this.store.deleteLeaf(sessionId, messageId);
  }

  updateMessage(sessionId: string, messageId: string, content: string, metadata: Record<string, unknown>): void {
    if (this.store.updateMessage(sessionId, messageId, content, metadata)) this.emitUpdated(sessionId);
  }

  /** The chat's own model (`<provider>:<model id>`), or null for the settings' model. */
  setModel(rawId: string, model: string | null): SessionRecord {
    const session = this.find(rawId);
    if (!session || !this.store.setModel(session.id, model)) throw new NotFoundError(SESSION_NOT_FOUND);
    return this.emitUpdated(session.id)!; // synchronous: nothing can delete it in between
  }

  /** A record as clients may see it (titles and preview redacted). */
  redactedRecord(s: SessionRecord): SessionRecord {
    return this.redactSession(s);
  }

  private emitUpdated(id: string): SessionRecord | undefined {
    const updated = this.store.get(id);
    if (updated) this.events.emit('updated', this.redactSession(updated));
    return updated;
  }

  /** Last `limit` messages as stored: only for the model's own prompt, never for a client. */
  rawHistory(rawId: string, limit: number): MessageRecord[] {
    const session = this.find(rawId);
    return session && limit > 0 ? this.store.history(session.id, limit) : [];
  }

  private redactMessage(m: MessageRecord): MessageRecord {
    return { ...m, content: this.redact(m.content), metadata: redactDeep(m.metadata, this.secrets) };
  }

  /** The whole session as a file (REST and CLI export), redacted. */
  export(rawId: string, format: ExportFormat): ExportFile {
    const session = this.find(rawId);
    const messages = session ? this.store.messages(session.id) : [];
    if (!session || messages.length === 0) throw new NotFoundError(`Session not found: ${rawId}`);
    return exportSession(rawId, messages.map((m) => this.redactMessage(m)), format);
  }

  append(rawId: string, channel: string, messages: NewMessage[]): SessionRecord {
    const id = toSessionId(rawId);
    const announce = this.announcerFor(id, messages);
    return announce(this.store.append(id, channel, messages));
  }

  /** `append` whose fsync runs off the event loop; announced once it is on disk. */
  async appendDurably(rawId: string, channel: string, messages: NewMessage[]): Promise<SessionRecord> {
    const id = toSessionId(rawId);
    const announce = this.announcerFor(id, messages);
    return announce(await this.store.appendDurably(id, channel, messages));
  }

  /** Announces an append that created the session or added messages (decided before it is written). */
  private announcerFor(id: string, messages: NewMessage[]): (session: SessionRecord) => SessionRecord {
    const existed = this.store.get(id) !== undefined;
    return (session) => {
      if (!existed || messages.length > 0) this.events.emit('updated', this.redactSession(session));
      return session;
    };
  }
}
