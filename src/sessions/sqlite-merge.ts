import type Database from 'better-sqlite3';
import { firstCodePoints } from '../lib/text.js';
import { deriveTitle, PREVIEW_CHARS } from './sqlite-title.js';
import type { ImportResult, NewMessage } from './types.js';

/**
 * Merging sessions from another store (import) into SQLite, many sessions in the caller's one
 * transaction. Runs without a savepoint per session on purpose: FTS5 flushes its pending index
 * data to a new segment at every savepoint, so a savepoint per session made the search index
 * out of thousands of tiny segments and merging them was most of the import's time.
 */
export class SqliteSessionMerger {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      session: db.prepare('SELECT key, auto_title, user_title FROM sessions WHERE id = ?'),
      insertSession: db.prepare(
        `INSERT INTO sessions (id, channel, auto_title, user_title, created, last_activity, message_count, preview)
         VALUES (?, ?, NULL, NULL, ?, ?, 0, '')`,
      ),
      // Read once per existing session: the ids already there, instead of a lookup per message.
      knownIds: db.prepare('SELECT id FROM messages WHERE session = ?').pluck(),
      maxSeq: db.prepare('SELECT coalesce(max(seq), -1) FROM messages WHERE session = ?').pluck(),
      leaf: db.prepare('SELECT rowid FROM messages WHERE session = ? AND active = 1 ORDER BY seq DESC LIMIT 1').pluck(),
      insertMessage: db.prepare(
        `INSERT INTO messages (session, seq, id, role, content, timestamp, metadata, parent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateSummary: db.prepare(
        `UPDATE sessions SET auto_title = ?, last_activity = max(last_activity, ?),
           message_count = message_count + ?, preview = ? WHERE key = ?`,
      ),
      setUserTitleIfNone: db.prepare('UPDATE sessions SET user_title = ? WHERE id = ? AND user_title IS NULL'),
    };
  }

  /**
   * Adds the messages whose id the session does not have yet, after the active branch's leaf;
   * `userTitle` only when the session has no title of the user's. Must run inside a
   * transaction: a throw leaves the session half-written until the caller rolls back.
   */
  merge(id: string, channel: string, messages: NewMessage[], userTitle: string | null): ImportResult {
    const row = this.stmts.session.get(id) as { key: number; auto_title: string | null; user_title: string | null } | undefined;
    if (!row && messages.length === 0) return { created: false, messagesAdded: 0 };
    let key: number;
    let seq = 0;
    let parent: number | null = null;
    let autoTitle: string | null = null;
    // Also catches an id repeated inside the file: the first copy wins, as before.
    let known: Set<string>;
    if (row) {
      key = row.key;
      known = new Set(this.stmts.knownIds.all(key) as string[]);
      seq = (this.stmts.maxSeq.get(key) as number) + 1;
      // Each message follows the active branch's leaf: a plain append keeps the branch linear.
      parent = (this.stmts.leaf.get(key) as number | undefined) ?? null;
      autoTitle = row.auto_title;
    } else {
      known = new Set();
      key = Number(this.stmts.insertSession.run(id, channel, messages[0]!.timestamp, messages[0]!.timestamp).lastInsertRowid);
    }
    let last: NewMessage | undefined;
    let added = 0;
    for (const m of messages) {
      if (known.has(m.id)) continue;
      known.add(m.id);
      parent = Number(this.stmts.insertMessage.run(key, seq++, m.id, m.role, m.content, m.timestamp, metadataJson(m.metadata), parent).lastInsertRowid);
      autoTitle ??= deriveTitle(m.role, m.content);
      last = m;
      added++;
    }
    if (last) {
      this.stmts.updateSummary.run(autoTitle, last.timestamp, added, firstCodePoints(last.content, PREVIEW_CHARS), key);
    }
    if (userTitle !== null && (!row || row.user_title === null)) this.stmts.setUserTitleIfNone.run(userTitle, id);
    return { created: !row, messagesAdded: added };
  }
}

/** Most imported messages have empty metadata: skip the serializer for them. */
function metadataJson(metadata: Record<string, unknown> | undefined): string {
  if (!metadata) return '{}';
  for (const _ in metadata) return JSON.stringify(metadata);
  return '{}';
}
