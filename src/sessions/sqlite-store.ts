import type Database from 'better-sqlite3';
import { firstCodePoints } from '../lib/text.js';
import { searchMessages } from './sqlite-search.js';
import type {
  ImportResult, MessageRecord, NewMessage, SearchHit, SessionRecord, SessionStore,
} from './types.js';

/** Derived titles and previews are cut to these many code points (the service redacts a secret cut in half). */
export const TITLE_CHARS = 80;
export const PREVIEW_CHARS = 120;

interface SessionRow {
  id: string;
  channel: string;
  auto_title: string | null;
  user_title: string | null;
  created: string;
  last_activity: string;
  message_count: number;
  preview: string;
}

interface MessageRow {
  id: string;
  role: string;
  content: string;
  timestamp: string;
  metadata: string;
}

const SESSION_COLUMNS = 'id, channel, auto_title, user_title, created, last_activity, message_count, preview';

/** Title rule of spec §7.3: the first non-blank user message, trimmed, first 80 characters. */
export function deriveTitle(role: string, content: string): string | null {
  if (role !== 'user') return null;
  const trimmed = content.trim();
  return trimmed ? firstCodePoints(trimmed, TITLE_CHARS) : null;
}

export function toSessionRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    title: row.user_title ?? row.auto_title ?? 'New Chat',
    user_title: row.user_title,
    channel: row.channel,
    created: row.created,
    last_activity: row.last_activity,
    message_count: row.message_count,
    preview: row.preview,
  };
}

function toMessageRecord(row: MessageRow): MessageRecord {
  let metadata: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.metadata) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  } catch {
    // A row written by a future version with other metadata: show the message without it.
  }
  return { id: row.id, role: row.role, content: row.content, timestamp: row.timestamp, metadata };
}

/**
 * Sessions and messages in SQLite. Every write updates the session row's derived fields
 * (title, preview, counts, activity) in the same transaction as the messages, so the list
 * never needs to look at messages.
 */
export class SqliteSessionStore implements SessionStore {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      list: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY last_activity DESC, id DESC LIMIT ?`),
      listBefore: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE (last_activity, id) < (?, ?) ORDER BY last_activity DESC, id DESC LIMIT ?`,
      ),
      count: db.prepare('SELECT count(*) AS n FROM sessions').pluck(),
      // A primary-key range scan: ids in [prefix, prefix + U+FFFF) start with prefix.
      withPrefix: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id >= ? AND id < ? ORDER BY last_activity DESC LIMIT ?`,
      ),
      get: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
      rename: db.prepare('UPDATE sessions SET user_title = ? WHERE id = ?'),
      setAutoTitle: db.prepare('UPDATE sessions SET auto_title = ? WHERE id = ?'),
      deleteMessages: db.prepare('DELETE FROM messages WHERE session_id = ?'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
      history: db.prepare(
        'SELECT id, role, content, timestamp, metadata FROM messages WHERE session_id = ? ORDER BY seq DESC LIMIT ?',
      ),
      messages: db.prepare('SELECT id, role, content, timestamp, metadata FROM messages WHERE session_id = ? ORDER BY seq'),
      insertSession: db.prepare(
        `INSERT INTO sessions (id, channel, auto_title, user_title, created, last_activity, message_count, preview)
         VALUES (@id, @channel, NULL, NULL, @created, @created, 0, '')`,
      ),
      maxSeq: db.prepare('SELECT coalesce(max(seq), -1) FROM messages WHERE session_id = ?').pluck(),
      hasMessage: db.prepare('SELECT 1 FROM messages WHERE session_id = ? AND id = ?').pluck(),
      insertMessage: db.prepare(
        `INSERT INTO messages (session_id, seq, id, role, content, timestamp, metadata)
         VALUES (@session_id, @seq, @id, @role, @content, @timestamp, @metadata)`,
      ),
      updateSummary: db.prepare(
        `UPDATE sessions SET auto_title = @auto_title, last_activity = max(last_activity, @last_activity),
           message_count = message_count + @added, preview = @preview WHERE id = @id`,
      ),
      setUserTitleIfNone: db.prepare('UPDATE sessions SET user_title = ? WHERE id = ? AND user_title IS NULL'),
    };
  }

  list(limit: number, before?: string, beforeId?: string): SessionRecord[] {
    // Without an id, '' sorts before every id: sessions at exactly `before` are excluded.
    const rows = (before === undefined
      ? this.stmts.list.all(limit)
      : this.stmts.listBefore.all(before, beforeId ?? '', limit)) as SessionRow[];
    return rows.map(toSessionRecord);
  }

  count(): number {
    return this.stmts.count.get() as number;
  }

  listWithPrefix(prefix: string, limit: number): SessionRecord[] {
    return (this.stmts.withPrefix.all(prefix, `${prefix}\uffff`, limit) as SessionRow[]).map(toSessionRecord);
  }

  get(id: string): SessionRecord | undefined {
    const row = this.stmts.get.get(id) as SessionRow | undefined;
    return row && toSessionRecord(row);
  }

  rename(id: string, title: string): boolean {
    return this.stmts.rename.run(title, id).changes > 0;
  }

  setAutoTitle(id: string, title: string): boolean {
    return this.stmts.setAutoTitle.run(title, id).changes > 0;
  }

  delete(id: string): boolean {
    return this.db.transaction(() => {
      this.stmts.deleteMessages.run(id);
      return this.stmts.deleteSession.run(id).changes > 0;
    })();
  }

  history(id: string, limit: number): MessageRecord[] {
    return (this.stmts.history.all(id, limit) as MessageRow[]).reverse().map(toMessageRecord);
  }

  messages(id: string): MessageRecord[] {
    return (this.stmts.messages.all(id) as MessageRow[]).map(toMessageRecord);
  }

  search(query: string, limit: number): SearchHit[] {
    return searchMessages(this.db, query, limit);
  }

  append(id: string, channel: string, messages: NewMessage[]): SessionRecord {
    return this.db.transaction(() => {
      this.insert(id, channel, messages, false);
      return this.get(id)!;
    })();
  }

  merge(id: string, channel: string, messages: NewMessage[], userTitle: string | null): ImportResult {
    return this.db.transaction(() => {
      const result = this.insert(id, channel, messages, true);
      if (userTitle !== null) this.stmts.setUserTitleIfNone.run(userTitle, id);
      return result;
    })();
  }

  batch<T>(fn: () => T): T {
    // Nested better-sqlite3 transactions (append/merge) become savepoints inside this one.
    return this.db.transaction(fn)();
  }

  /** Runs inside the caller's transaction. */
  private insert(id: string, channel: string, messages: NewMessage[], skipKnown: boolean): ImportResult {
    let row = this.stmts.get.get(id) as SessionRow | undefined;
    const created = !row;
    if (!row) {
      if (messages.length === 0) return { created: false, messagesAdded: 0 };
      this.stmts.insertSession.run({ id, channel, created: messages[0]!.timestamp });
      row = this.stmts.get.get(id) as SessionRow;
    }
    let seq = (this.stmts.maxSeq.get(id) as number) + 1;
    let autoTitle = row.auto_title;
    let last: NewMessage | undefined;
    let added = 0;
    for (const m of messages) {
      if (skipKnown && this.stmts.hasMessage.get(id, m.id)) continue;
      this.stmts.insertMessage.run({
        session_id: id, seq: seq++, id: m.id, role: m.role, content: m.content,
        timestamp: m.timestamp, metadata: JSON.stringify(m.metadata ?? {}),
      });
      autoTitle ??= deriveTitle(m.role, m.content);
      last = m;
      added++;
    }
    if (last) {
      this.stmts.updateSummary.run({
        id, auto_title: autoTitle, last_activity: last.timestamp, added,
        preview: firstCodePoints(last.content, PREVIEW_CHARS),
      });
    }
    return { created, messagesAdded: added };
  }
}
