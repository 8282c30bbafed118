import type Database from 'better-sqlite3';

/**
 * Schema history. Each step runs once, in order, inside one transaction, and bumps
 * `PRAGMA user_version`. Never edit a released step: add a new one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; description: string; up: string }> = [
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings the database up to `target` (default: latest). Returns the versions applied. */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database was written by a newer PocketPaw (schema ${current}, this version knows ${SCHEMA_VERSION}). Upgrade PocketPaw.`,
    );
  }
  const applied: number[] = [];
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    db.transaction(() => {
      db.exec(step.up);
      db.pragma(`user_version = ${step.version}`);
    })();
    applied.push(step.version);
  }
  return applied;
}
