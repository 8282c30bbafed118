import { notFound } from '../http/errors.js';
import type { SessionEvents } from './events.js';
import { exportSession, type ExportFile, type ExportFormat } from './export.js';
import { isPlausibleSessionId, toSessionId } from './ids.js';
import type { MessageRecord, NewMessage, SearchHit, SessionRecord, SessionStore } from './types.js';

const SESSION_NOT_FOUND = 'Session not found';

/**
 * Session operations shared by the HTTP routes, the CLI and (later) the chat loop.
 * Ids may come in colon form; they are mapped to stored ids here.
 */
export class SessionService {
  constructor(private readonly store: SessionStore, readonly events: SessionEvents) {}

  list(limit: number, before?: string, beforeId?: string): { sessions: SessionRecord[]; total: number } {
    return { sessions: limit > 0 ? this.store.list(limit, before, beforeId) : [], total: this.store.count() };
  }

  listWithPrefix(prefix: string, limit: number): SessionRecord[] {
    return this.store.listWithPrefix(prefix, limit);
  }

  search(query: string, limit: number): SearchHit[] {
    return this.store.search(query, limit);
  }

  find(rawId: string): SessionRecord | undefined {
    const id = toSessionId(rawId);
    return isPlausibleSessionId(id) ? this.store.get(id) : undefined;
  }

  rename(rawId: string, title: string): SessionRecord {
    const session = this.find(rawId);
    if (!session || !this.store.rename(session.id, title)) throw notFound(SESSION_NOT_FOUND);
    const updated = this.store.get(session.id)!;
    this.events.emit('updated', updated);
    return updated;
  }

  /** A model-written title; never shadows a title the user set. */
  setAutoTitle(id: string, title: string): void {
    if (!this.store.setAutoTitle(id, title)) return;
    this.events.emit('updated', this.store.get(id)!);
  }

  delete(rawId: string): void {
    const session = this.find(rawId);
    if (!session || !this.store.delete(session.id)) throw notFound(SESSION_NOT_FOUND);
    this.events.emit('deleted', session.id);
  }

  /** Last `limit` messages; unknown sessions have an empty history. */
  history(rawId: string, limit: number): MessageRecord[] {
    const session = this.find(rawId);
    return session && limit > 0 ? this.store.history(session.id, limit) : [];
  }

  export(rawId: string, format: ExportFormat): ExportFile {
    const session = this.find(rawId);
    const messages = session ? this.store.messages(session.id) : [];
    if (!session || messages.length === 0) throw notFound(`Session not found: ${rawId}`);
    return exportSession(rawId, session.id, messages, format);
  }

  append(rawId: string, channel: string, messages: NewMessage[]): SessionRecord {
    const id = toSessionId(rawId);
    const existed = this.store.get(id) !== undefined;
    const session = this.store.append(id, channel, messages);
    if (!existed || messages.length > 0) this.events.emit('updated', session);
    return session;
  }
}
