import type Database from 'better-sqlite3';
import { firstCodePoints } from '../lib/text.js';
import { deferInsertIndexing } from './sqlite-deferred-index.js';
import { SqliteSessionMerger } from './sqlite-merge.js';
import { searchMessages } from './sqlite-search.js';
import { deriveTitle, PREVIEW_CHARS } from './sqlite-title.js';
import type {
  ImportResult, MessageRecord, MessageVersions, NewMessage, SearchHit, SessionMerge, SessionRecord, SessionStore, TreeMessage,
} from './types.js';

// Where the service and others have always found them.
export { deriveTitle, PREVIEW_CHARS, TITLE_CHARS } from './sqlite-title.js';

interface SessionRow {
  id: string;
  channel: string;
  auto_title: string | null;
  user_title: string | null;
  created: string;
  last_activity: string;
  message_count: number;
  preview: string;
  model: string | null;
}

interface MessageRow {
  id: string;
  role: string;
  content: string;
  timestamp: string;
  metadata: string;
}

const SESSION_COLUMNS = 'id, channel, auto_title, user_title, created, last_activity, message_count, preview, model';
const MESSAGE_COLUMNS = 'id, role, content, timestamp, metadata';

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
    model: row.model,
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
  private merging: SqliteSessionMerger | undefined;

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
      // The active branch only: PocketPaw's list view of the tree (spec §4.7).
      history: db.prepare(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = ? AND active = 1 ORDER BY seq DESC LIMIT ?`,
      ),
      messages: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = ? AND active = 1 ORDER BY seq`),
      message: db.prepare(
        `SELECT ${MESSAGE_COLUMNS}, parent_id, active,
           (SELECT count(*) FROM messages c WHERE c.session_id = m.session_id AND c.parent_id = m.id) AS children
         FROM messages m WHERE session_id = ? AND id = ?`,
      ),
      leaf: db.prepare('SELECT id FROM messages WHERE session_id = ? AND active = 1 ORDER BY seq DESC LIMIT 1').pluck(),
      parentOf: db.prepare('SELECT parent_id FROM messages WHERE session_id = ? AND id = ?').pluck(),
      newestChild: db.prepare('SELECT id FROM messages WHERE session_id = ? AND parent_id IS ? ORDER BY seq DESC LIMIT 1').pluck(),
      children: db.prepare('SELECT id, active FROM messages WHERE session_id = ? AND parent_id IS ? ORDER BY seq'),
      inactiveParents: db.prepare('SELECT DISTINCT parent_id FROM messages WHERE session_id = ? AND active = 0').pluck(),
      deactivateOthers: db.prepare(
        'UPDATE messages SET active = 0 WHERE session_id = ? AND active = 1 AND id NOT IN (SELECT value FROM json_each(?))',
      ),
      activatePath: db.prepare(
        'UPDATE messages SET active = 1 WHERE session_id = ? AND active = 0 AND id IN (SELECT value FROM json_each(?))',
      ),
      deleteMessage: db.prepare('DELETE FROM messages WHERE session_id = ? AND id = ?'),
      updateMessage: db.prepare('UPDATE messages SET content = ?, metadata = ? WHERE session_id = ? AND id = ?'),
      branchSummary: db.prepare(
        `SELECT count(*) AS n, (SELECT content FROM messages WHERE session_id = @id AND active = 1 ORDER BY seq DESC LIMIT 1) AS last
         FROM messages WHERE session_id = @id AND active = 1`,
      ),
      setSummary: db.prepare('UPDATE sessions SET message_count = ?, preview = ? WHERE id = ?'),
      setModel: db.prepare('UPDATE sessions SET model = ? WHERE id = ?'),
      insertSession: db.prepare(
        `INSERT INTO sessions (id, channel, auto_title, user_title, created, last_activity, message_count, preview)
         VALUES (@id, @channel, NULL, NULL, @created, @created, 0, '')`,
      ),
      maxSeq: db.prepare('SELECT coalesce(max(seq), -1) FROM messages WHERE session_id = ?').pluck(),
      insertMessage: db.prepare(
        `INSERT INTO messages (session_id, seq, id, role, content, timestamp, metadata, parent_id)
         VALUES (@session_id, @seq, @id, @role, @content, @timestamp, @metadata, @parent_id)`,
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

  message(id: string, messageId: string): TreeMessage | undefined {
    const row = this.stmts.message.get(id, messageId) as (MessageRow & { parent_id: string | null; active: number; children: number }) | undefined;
    return row && { ...toMessageRecord(row), parent_id: row.parent_id, active: row.active === 1, children: row.children };
  }

  activate(id: string, messageId: string | null, descend: boolean): void {
    this.db.transaction(() => {
      let leaf = messageId;
      if (leaf !== null && descend) {
        for (let child = this.stmts.newestChild.get(id, leaf) as string | undefined; child; child = this.stmts.newestChild.get(id, child) as string | undefined) {
          leaf = child;
        }
      }
      const path: string[] = [];
      for (let at: string | null | undefined = leaf; at; at = this.stmts.parentOf.get(id, at) as string | null | undefined) path.push(at);
      const json = JSON.stringify(path);
      this.stmts.deactivateOthers.run(id, json);
      this.stmts.activatePath.run(id, json);
      this.refreshSummary(id);
    })();
  }

  deleteLeaf(id: string, messageId: string): boolean {
    return this.db.transaction(() => {
      const m = this.message(id, messageId);
      if (!m || m.children > 0) return false;
      this.stmts.deleteMessage.run(id, messageId);
      this.refreshSummary(id);
      return true;
    })();
  }

  updateMessage(id: string, messageId: string, content: string, metadata: Record<string, unknown>): boolean {
    return this.db.transaction(() => {
      if (this.stmts.updateMessage.run(content, JSON.stringify(metadata), id, messageId).changes === 0) return false;
      this.refreshSummary(id);
      return true;
    })();
  }

  versions(id: string): Map<string, MessageVersions> {
    const out = new Map<string, MessageVersions>();
    // A message has siblings only if some message is off the active branch: usually none.
    for (const parent of this.stmts.inactiveParents.all(id) as (string | null)[]) {
      const group = this.stmts.children.all(id, parent) as { id: string; active: number }[];
      const current = group.findIndex((m) => m.active === 1);
      if (current < 0 || group.length < 2) continue;
      out.set(group[current]!.id, { index: current + 1, count: group.length, ids: group.map((m) => m.id) });
    }
    return out;
  }

  setModel(id: string, model: string | null): boolean {
    return this.stmts.setModel.run(model, id).changes > 0;
  }

  /** Count and preview follow the active branch after it changes. */
  private refreshSummary(id: string): void {
    const { n, last } = this.stmts.branchSummary.get({ id }) as { n: number; last: string | null };
    this.stmts.setSummary.run(n, firstCodePoints(last ?? '', PREVIEW_CHARS), id);
  }

  search(query: string, limit: number): SearchHit[] {
    return searchMessages(this.db, query, limit);
  }

  append(id: string, channel: string, messages: NewMessage[]): SessionRecord {
    return this.db.transaction(() => {
      this.insert(id, channel, messages);
      return this.get(id)!;
    })();
  }

  merge(id: string, channel: string, messages: NewMessage[], userTitle: string | null): ImportResult {
    return this.db.transaction(() => this.merger().merge(id, channel, messages, userTitle))();
  }

  importBatch<T>(fn: (merge: SessionMerge) => T): T {
    const merger = this.merger();
    // IMMEDIATE: take the write lock at the start (waiting out a server's short write), so the
    // batch cannot fail half-way when a read lock would need upgrading.
    const result = this.db.transaction(() => {
      const indexNow = deferInsertIndexing(this.db);
      const out = fn((id, channel, messages, userTitle) => merger.merge(id, channel, messages, userTitle));
      indexNow();
      return out;
    }).immediate();
    // The commit left a WAL the size of everything imported; the automatic checkpoint copied
    // it into the database, so give the disk space back now rather than keep it while open.
    // Best effort: with a server reading at this moment it stays for its next checkpoint.
    if (!this.db.inTransaction) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return result;
  }

  /** Prepared on first use: the server never imports, so it does not pay for these statements. */
  private merger(): SqliteSessionMerger {
    return (this.merging ??= new SqliteSessionMerger(this.db));
  }

  /** Runs inside the caller's transaction. */
  private insert(id: string, channel: string, messages: NewMessage[]): void {
    let row = this.stmts.get.get(id) as SessionRow | undefined;
    if (!row) {
      if (messages.length === 0) return;
      this.stmts.insertSession.run({ id, channel, created: messages[0]!.timestamp });
      row = this.stmts.get.get(id) as SessionRow;
    }
    let seq = (this.stmts.maxSeq.get(id) as number) + 1;
    // Each message follows the active branch's leaf: a plain append keeps the branch linear.
    let parent = (this.stmts.leaf.get(id) as string | undefined) ?? null;
    let autoTitle = row.auto_title;
    let last: NewMessage | undefined;
    for (const m of messages) {
      this.stmts.insertMessage.run({
        session_id: id, seq: seq++, id: m.id, role: m.role, content: m.content,
        timestamp: m.timestamp, metadata: JSON.stringify(m.metadata ?? {}), parent_id: parent,
      });
      parent = m.id;
      autoTitle ??= deriveTitle(m.role, m.content);
      last = m;
    }
    if (last) {
      this.stmts.updateSummary.run({
        id, auto_title: autoTitle, last_activity: last.timestamp, added: messages.length,
        preview: firstCodePoints(last.content, PREVIEW_CHARS),
      });
    }
  }
}
