import type Database from 'better-sqlite3';
import { GroupCommit } from '../store/group-commit.js';
import { firstCodePoints } from '../lib/text.js';
import { deferInsertIndexing } from './sqlite-deferred-index.js';
import { SqliteSessionMerger } from './sqlite-merge.js';
import { searchMessages } from './sqlite-search.js';
import { DeletedSessionSweeper } from './sqlite-sweeper.js';
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

interface TreeRow extends MessageRow {
  rowid: number;
  parent_id: string | null;
  active: number;
  children: number;
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
  private readonly sweeper: DeletedSessionSweeper;
  /** Renames, deletes and chat messages share fsyncs when several are in flight. */
  private readonly commits: GroupCommit;

  constructor(private readonly db: Database.Database) {
    // Messages refer to their session by its integer key (migration 6); `KEY` turns the text id
    // every method takes into it, so each statement stays one lookup.
    const KEY = '(SELECT key FROM sessions WHERE id = ?)';
    this.stmts = {
      list: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY last_activity DESC, id DESC LIMIT ?`),
      listBefore: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE (last_activity, id) < (?, ?) ORDER BY last_activity DESC, id DESC LIMIT ?`,
      ),
      count: db.prepare('SELECT count(*) AS n FROM sessions').pluck(),
      // A range scan of the id index: ids in [prefix, prefix + U+FFFF) start with prefix.
      withPrefix: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id >= ? AND id < ? ORDER BY last_activity DESC LIMIT ?`,
      ),
      get: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
      key: db.prepare('SELECT key FROM sessions WHERE id = ?').pluck(),
      appendTarget: db.prepare('SELECT key, auto_title FROM sessions WHERE id = ?'),
      rename: db.prepare('UPDATE sessions SET user_title = ? WHERE id = ?'),
      setAutoTitle: db.prepare('UPDATE sessions SET auto_title = ? WHERE id = ?'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = ? RETURNING key').pluck(),
      // The active branch only: PocketPaw's list view of the tree (spec §4.7).
      history: db.prepare(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session = ${KEY} AND active = 1 ORDER BY seq DESC LIMIT ?`,
      ),
      messages: db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session = ${KEY} AND active = 1 ORDER BY seq`),
      // By id: a walk over the session's rows (there is no index on message ids, see migration 6).
      message: db.prepare(
        `SELECT ${MESSAGE_COLUMNS}, rowid, active, (SELECT p.id FROM messages p WHERE p.rowid = m.parent) AS parent_id,
           (SELECT count(*) FROM messages c WHERE c.parent = m.rowid) AS children
         FROM messages m WHERE session = ${KEY} AND id = ?`,
      ),
      rowidOf: db.prepare('SELECT rowid FROM messages WHERE session = ? AND id = ?').pluck(),
      leaf: db.prepare('SELECT rowid FROM messages WHERE session = ? AND active = 1 ORDER BY seq DESC LIMIT 1').pluck(),
      parentOf: db.prepare('SELECT parent FROM messages WHERE rowid = ?').pluck(),
      newestChild: db.prepare('SELECT rowid FROM messages WHERE parent = ? ORDER BY seq DESC LIMIT 1').pluck(),
      children: db.prepare('SELECT id, active FROM messages WHERE parent = ? ORDER BY seq'),
      roots: db.prepare('SELECT id, active FROM messages WHERE session = ? AND parent IS NULL ORDER BY seq'),
      inactiveParents: db.prepare('SELECT DISTINCT parent FROM messages WHERE session = ? AND active = 0').pluck(),
      deactivateOthers: db.prepare(
        'UPDATE messages SET active = 0 WHERE session = ? AND active = 1 AND rowid NOT IN (SELECT value FROM json_each(?))',
      ),
      activatePath: db.prepare(
        'UPDATE messages SET active = 1 WHERE session = ? AND active = 0 AND rowid IN (SELECT value FROM json_each(?))',
      ),
      deleteMessage: db.prepare('DELETE FROM messages WHERE rowid = ?'),
      updateMessage: db.prepare(`UPDATE messages SET content = ?, metadata = ? WHERE session = ${KEY} AND id = ?`),
      branchSummary: db.prepare(
        `SELECT count(*) AS n, (SELECT content FROM messages WHERE session = @key AND active = 1 ORDER BY seq DESC LIMIT 1) AS last
         FROM messages WHERE session = @key AND active = 1`,
      ),
      setSummary: db.prepare('UPDATE sessions SET message_count = ?, preview = ? WHERE key = ?'),
      setModel: db.prepare('UPDATE sessions SET model = ? WHERE id = ?'),
      insertSession: db.prepare(
        `INSERT INTO sessions (id, channel, auto_title, user_title, created, last_activity, message_count, preview)
         VALUES (@id, @channel, NULL, NULL, @created, @created, 0, '')`,
      ),
      maxSeq: db.prepare('SELECT coalesce(max(seq), -1) FROM messages WHERE session = ?').pluck(),
      insertMessage: db.prepare(
        `INSERT INTO messages (session, seq, id, role, content, timestamp, metadata, parent)
         VALUES (@session, @seq, @id, @role, @content, @timestamp, @metadata, @parent)`,
      ),
      updateSummary: db.prepare(
        `UPDATE sessions SET auto_title = @auto_title, last_activity = max(last_activity, @last_activity),
           message_count = message_count + @added, preview = @preview WHERE key = @key`,
      ),
    };
    this.sweeper = new DeletedSessionSweeper(db);
    this.commits = new GroupCommit(db);
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

  rename(id: string, title: string): Promise<boolean> {
    return this.commits.run(() => this.stmts.rename.run(title, id).changes > 0);
  }

  setAutoTitle(id: string, title: string): boolean {
    return this.stmts.setAutoTitle.run(title, id).changes > 0;
  }

  /**
   * Removes the session row and queues its messages for the sweeper: one small write, however
   * long the session was. Nothing reads a message except through its session's row, so the
   * queued messages are gone for every reader (history, search, export) at the commit.
   */
  delete(id: string): Promise<boolean> {
    return this.commits.run(() => this.sweeper.removeSession(() => this.stmts.deleteSession.get(id) as number | undefined));
  }

  history(id: string, limit: number): MessageRecord[] {
    return (this.stmts.history.all(id, limit) as MessageRow[]).reverse().map(toMessageRecord);
  }

  messages(id: string): MessageRecord[] {
    return (this.stmts.messages.all(id) as MessageRow[]).map(toMessageRecord);
  }

  message(id: string, messageId: string): TreeMessage | undefined {
    const row = this.stmts.message.get(id, messageId) as TreeRow | undefined;
    return row && { ...toMessageRecord(row), parent_id: row.parent_id, active: row.active === 1, children: row.children };
  }

  activate(id: string, messageId: string | null, descend: boolean): void {
    this.db.transaction(() => {
      const key = this.stmts.key.get(id) as number | undefined;
      if (key === undefined) return;
      let leaf = messageId === null ? undefined : (this.stmts.rowidOf.get(key, messageId) as number | undefined);
      if (leaf !== undefined && descend) {
        for (let child = this.stmts.newestChild.get(leaf) as number | undefined; child; child = this.stmts.newestChild.get(child) as number | undefined) {
          leaf = child;
        }
      }
      const path: number[] = [];
      for (let at: number | null | undefined = leaf; at; at = this.stmts.parentOf.get(at) as number | null | undefined) path.push(at);
      const json = JSON.stringify(path);
      this.stmts.deactivateOthers.run(key, json);
      this.stmts.activatePath.run(key, json);
      this.refreshSummary(key);
    })();
  }

  deleteLeaf(id: string, messageId: string): boolean {
    return this.db.transaction(() => {
      const row = this.stmts.message.get(id, messageId) as TreeRow | undefined;
      if (!row || row.children > 0) return false;
      this.stmts.deleteMessage.run(row.rowid);
      this.refreshSummary(this.stmts.key.get(id) as number);
      return true;
    })();
  }

  updateMessage(id: string, messageId: string, content: string, metadata: Record<string, unknown>): boolean {
    return this.db.transaction(() => {
      if (this.stmts.updateMessage.run(content, JSON.stringify(metadata), id, messageId).changes === 0) return false;
      this.refreshSummary(this.stmts.key.get(id) as number);
      return true;
    })();
  }

  versions(id: string): Map<string, MessageVersions> {
    const out = new Map<string, MessageVersions>();
    const key = this.stmts.key.get(id) as number | undefined;
    if (key === undefined) return out;
    // A message has siblings only if some message is off the active branch: usually none.
    for (const parent of this.stmts.inactiveParents.all(key) as (number | null)[]) {
      const group = (parent === null ? this.stmts.roots.all(key) : this.stmts.children.all(parent)) as { id: string; active: number }[];
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
  private refreshSummary(key: number): void {
    const { n, last } = this.stmts.branchSummary.get({ key }) as { n: number; last: string | null };
    this.stmts.setSummary.run(n, firstCodePoints(last ?? '', PREVIEW_CHARS), key);
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

  appendDurably(id: string, channel: string, messages: NewMessage[]): Promise<SessionRecord> {
    return this.commits.run(() => this.append(id, channel, messages));
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
    const found = this.stmts.appendTarget.get(id) as { key: number; auto_title: string | null } | undefined;
    if (!found && messages.length === 0) return;
    const key = found?.key ?? Number(this.stmts.insertSession.run({ id, channel, created: messages[0]!.timestamp }).lastInsertRowid);
    let seq = (this.stmts.maxSeq.get(key) as number) + 1;
    // Each message follows the active branch's leaf: a plain append keeps the branch linear.
    let parent = (this.stmts.leaf.get(key) as number | undefined) ?? null;
    let autoTitle = found?.auto_title ?? null;
    let last: NewMessage | undefined;
    for (const m of messages) {
      parent = Number(this.stmts.insertMessage.run({
        session: key, seq: seq++, id: m.id, role: m.role, content: m.content,
        timestamp: m.timestamp, metadata: JSON.stringify(m.metadata ?? {}), parent,
      }).lastInsertRowid);
      autoTitle ??= deriveTitle(m.role, m.content);
      last = m;
    }
    if (last) {
      this.stmts.updateSummary.run({
        key, auto_title: autoTitle, last_activity: last.timestamp, added: messages.length,
        preview: firstCodePoints(last.content, PREVIEW_CHARS),
      });
    }
  }
}
