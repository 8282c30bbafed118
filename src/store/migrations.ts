import type Database from 'better-sqlite3';

/**
 * Schema history. Each step runs once, in order, inside one transaction, and bumps
 * `PRAGMA user_version`. Never edit a released step: add a new one.
 */
export interface Migration {
  version: number;
  description: string;
  up: string;
  /** Copies whole tables: announced when there is much to copy, and followed by a VACUUM. */
  rewritesTables?: boolean;
}

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    description: 'sessions and messages',
    up: `
      CREATE TABLE sessions (
        id            TEXT PRIMARY KEY,
        channel       TEXT NOT NULL,
        auto_title    TEXT,
        user_title    TEXT,
        created       TEXT NOT NULL,
        last_activity TEXT NOT NULL,
        message_count INTEGER NOT NULL DEFAULT 0,
        preview       TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX sessions_by_activity ON sessions (last_activity DESC, id DESC);

      CREATE TABLE messages (
        rowid      INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        id         TEXT NOT NULL,
        role       TEXT NOT NULL,
        content    TEXT NOT NULL,
        timestamp  TEXT NOT NULL,
        metadata   TEXT NOT NULL DEFAULT '{}'
      );
      CREATE UNIQUE INDEX messages_by_session ON messages (session_id, seq);
      CREATE UNIQUE INDEX messages_by_id ON messages (session_id, id);
    `,
  },
  {
    version: 2,
    description: 'full-text index over message content, kept in step by triggers',
    // trigram: case-insensitive substring matching for any script (CJK has no spaces to split on).
    up: `
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        content, content = 'messages', content_rowid = 'rowid', tokenize = 'trigram case_sensitive 0'
      );
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
      END;
      INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
    `,
  },
  {
    version: 3,
    description: 'session aliases: /new and /resume point a chat at another session (spec §7.1)',
    up: `
      CREATE TABLE session_aliases (
        base_key   TEXT PRIMARY KEY,
        target_key TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: 'long-term memory with a full-text index (spec §8)',
    // The index holds a transformed copy of the text (spaceless scripts split into characters,
    // see src/memory/fts.ts), so the memory store writes it in the same transaction as the row.
    up: `
      CREATE TABLE memories (
        rowid      INTEGER PRIMARY KEY,
        id         TEXT NOT NULL UNIQUE,
        scope      TEXT NOT NULL,
        header     TEXT NOT NULL,
        content    TEXT NOT NULL,
        tags       TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        dedupe_key TEXT NOT NULL UNIQUE
      );
      CREATE INDEX memories_by_scope ON memories (scope);
      -- scope: the row's scope as a token, so a search and its recency window stay inside one sender's memories.
      CREATE VIRTUAL TABLE memories_fts USING fts5 (
        body, tags, scope, tokenize = 'porter unicode61 remove_diacritics 2'
      );
    `,
  },
  {
    version: 5,
    description: 'conversations as trees (spec §4.7): a parent per message, the active branch flagged; a model per session',
    // `active` marks the session's active branch (root to leaf). PocketPaw-shaped views read only
    // active rows in `seq` order, which is the branch's order because a child is always inserted
    // after its parent. Inactive rows are few (earlier versions), so a partial index finds them.
    // Existing rows are linear: each one's parent is the row before it.
    up: `
      ALTER TABLE messages ADD COLUMN parent_id TEXT;
      ALTER TABLE messages ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE sessions ADD COLUMN model TEXT;
      UPDATE messages SET parent_id = p.prev FROM (
        SELECT rowid AS r, lag(id) OVER (PARTITION BY session_id ORDER BY seq) AS prev FROM messages
      ) AS p WHERE messages.rowid = p.r;
      CREATE INDEX messages_by_parent ON messages (session_id, parent_id);
      CREATE INDEX messages_inactive ON messages (session_id) WHERE active = 0;
    `,
  },
  {
    version: 6,
    description: 'compact storage (issue 14): integer session keys, parent by rowid, a smaller search index, deferred clean-up of deleted sessions',
    // Rebuilds both tables, once: 27.5 s on a million messages (907 → 352 MB), announced on stderr.
    // - Sessions get an integer key (AUTOINCREMENT: never reused), and messages refer to it
    //   instead of repeating the session's text id in the row and in every index (~45 bytes).
    // - A message's parent is the parent's rowid. Lookups by message id scan the session's
    //   rows in order (messages_by_session), which is cheap at any real session length, so the
    //   two indexes on text ids (session + id, session + parent id) are gone.
    // - The search index is contentless with detail=none: trigrams and rowids only, no
    //   positions (a third of the size). Searches AND the query's trigrams and check the
    //   candidates against the message text (src/sessions/sqlite-search.ts);
    //   contentless_delete lets a row be removed by rowid alone.
    // - Deleting a session removes its row and queues its key in deleted_sessions; its
    //   messages and index entries are removed later in small steps
    //   (src/sessions/sqlite-sweeper.ts). Every read goes through the sessions row, so the
    //   queued messages are unreachable from the moment of the delete. Message rowids are
    //   AUTOINCREMENT, so an index entry of a removed message can never point at a new one.
    up: `
      CREATE TABLE sessions_v6 (
        key           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL UNIQUE,
        channel       TEXT NOT NULL,
        auto_title    TEXT,
        user_title    TEXT,
        created       TEXT NOT NULL,
        last_activity TEXT NOT NULL,
        message_count INTEGER NOT NULL DEFAULT 0,
        preview       TEXT NOT NULL DEFAULT '',
        model         TEXT
      );
      INSERT INTO sessions_v6 (id, channel, auto_title, user_title, created, last_activity, message_count, preview, model)
        SELECT id, channel, auto_title, user_title, created, last_activity, message_count, preview, model
        FROM sessions ORDER BY created, id;
      CREATE TABLE messages_v6 (
        rowid     INTEGER PRIMARY KEY AUTOINCREMENT,
        session   INTEGER NOT NULL,
        seq       INTEGER NOT NULL,
        id        TEXT NOT NULL,
        role      TEXT NOT NULL,
        content   TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        metadata  TEXT NOT NULL DEFAULT '{}',
        parent    INTEGER,
        active    INTEGER NOT NULL DEFAULT 1
      );
      INSERT INTO messages_v6 (rowid, session, seq, id, role, content, timestamp, metadata, parent, active)
        SELECT m.rowid, s.key, m.seq, m.id, m.role, m.content, m.timestamp, m.metadata, p.rowid, m.active
        FROM messages m JOIN sessions_v6 s ON s.id = m.session_id
        LEFT JOIN messages p ON p.session_id = m.session_id AND p.id = m.parent_id
        ORDER BY m.rowid;
      DROP TABLE messages_fts;
      DROP TABLE messages;
      DROP TABLE sessions;
      ALTER TABLE sessions_v6 RENAME TO sessions;
      ALTER TABLE messages_v6 RENAME TO messages;
      CREATE INDEX sessions_by_activity ON sessions (last_activity DESC, id DESC);
      CREATE UNIQUE INDEX messages_by_session ON messages (session, seq);
      CREATE INDEX messages_by_parent ON messages (parent) WHERE parent IS NOT NULL;
      CREATE INDEX messages_inactive ON messages (session) WHERE active = 0;
      CREATE TABLE deleted_sessions (key INTEGER PRIMARY KEY);

      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        content, content = '', contentless_delete = 1, detail = none, tokenize = 'trigram case_sensitive 0'
      );
      -- A 64 MB buffer while indexing everything at once (1 MB default: hundreds of segments to merge).
      INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', 67108864);
      INSERT INTO messages_fts (rowid, content) SELECT rowid, content FROM messages;
      INSERT INTO messages_fts (messages_fts, rank) VALUES ('hashsize', 1048576);
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid;
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid;
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
      END;
    `,
    rewritesTables: true,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Above this many messages a table-copying step tells the user why start-up takes a while. */
const ANNOUNCE_ABOVE_MESSAGES = 50_000;

/**
 * Brings the database up to `target` (default: latest). Returns the versions applied.
 * `notify` hears about a long step before it runs (default: a line on stderr).
 */
export function migrate(
  db: Database.Database,
  target = SCHEMA_VERSION,
  notify: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database was written by a newer PocketPaw (schema ${current}, this version knows ${SCHEMA_VERSION}). Upgrade PocketPaw.`,
    );
  }
  const applied: number[] = [];
  let rewrote = false;
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    if (step.rewritesTables) {
      const messages = db.prepare('SELECT max(rowid) FROM messages').pluck().get() as number | null;
      if ((messages ?? 0) > ANNOUNCE_ABOVE_MESSAGES) {
        notify(`Upgrading the database to schema ${step.version} (${step.description}). This happens once and takes about 30 s per million messages, with free disk space about twice the database's size; if it is interrupted, nothing is lost and it starts again.`);
      }
      rewrote = true;
    }
    db.transaction(() => {
      db.exec(step.up);
      db.pragma(`user_version = ${step.version}`);
    })();
    applied.push(step.version);
  }
  // A rewrite leaves the old tables' pages free inside the file: give the space back to the disk.
  if (rewrote && db.prepare('PRAGMA freelist_count').pluck().get() as number > 0) db.exec('VACUUM');
  return applied;
}
