import type Database from 'better-sqlite3';

/**
 * Search indexing of a bulk load, done once at the end instead of per row.
 *
 * The full-text index is fed by an AFTER INSERT trigger on `messages` (migration 2). Inside a
 * long transaction that costs ~200 µs a row: every INSERT statement opens a statement savepoint,
 * and FTS5 flushes its pending terms to a new segment at each savepoint, so a bulk load builds
 * the index one tiny segment per message and spends its time merging them. Here the trigger is
 * dropped for the load and the rows added meanwhile are indexed by one INSERT … SELECT, which
 * FTS5 buffers in large runs; then the trigger is created again from its own stored SQL.
 *
 * All of it must run inside the caller's transaction: a crash or an error before the commit
 * rolls the drop back with the rows, so the trigger is never lost and no row is left unindexed.
 * A trigger of another shape than `INSERT INTO … VALUES (new.…)` is left in place (correct, only
 * slower).
 */
export function deferInsertIndexing(db: Database.Database): () => void {
  if (!db.inTransaction) throw new Error('deferInsertIndexing must run inside a transaction');
  const triggers = db.prepare(
    `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages'`,
  ).all() as Array<{ name: string; sql: string }>;
  // Rowids only grow (AUTOINCREMENT, and we hold the write lock), so the rows of the load
  // are exactly those above the current maximum.
  const after = db.prepare('SELECT coalesce(max(rowid), 0) FROM messages').pluck().get() as number;
  const deferred: Array<{ sql: string; backfill: string; target: string }> = [];
  for (const t of triggers) {
    const found = backfillFor(t.sql);
    if (!found) continue;
    db.exec(`DROP TRIGGER "${t.name.replace(/"/g, '""')}"`);
    deferred.push({ sql: t.sql, ...found });
  }
  // One backfill at the end, not one per few thousand rows: each backfill statement makes FTS5
  // write a segment, and at a million messages merging those cost more than reading the rows
  // back (measured: 53 s in steps of 20,000 against 45 s at once, bench/README.md).
  return () => {
    for (const t of deferred) {
      const restore = enlargeFts5Buffer(db, t.target);
      db.prepare(t.backfill).run(after);
      restore();
      db.exec(t.sql);
    }
  };
}

/** Pending terms FTS5 may hold in memory before it writes a segment, during a backfill. */
const BACKFILL_HASH_BYTES = 64 * 1024 * 1024;
const FTS5_DEFAULT_HASH_BYTES = 1024 * 1024;

/**
 * FTS5 writes its pending terms as a new segment each time they reach `hashsize` (1 MB by
 * default) and merges segments as it goes; a million messages make hundreds of segments and
 * merging them costs more than the indexing itself. A larger buffer for the backfill means
 * fewer, larger segments. `hashsize` is stored in the table's config: the returned function
 * puts it back.
 */
function enlargeFts5Buffer(db: Database.Database, table: string): () => void {
  const isFts5 = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? AND sql LIKE '%USING fts5%'`).get(table);
  if (!isFts5) return () => {};
  const quoted = `"${table.replace(/"/g, '""')}"`;
  const configTable = `"${`${table}_config`.replace(/"/g, '""')}"`;
  const saved = db.prepare(`SELECT v FROM ${configTable} WHERE k = 'hashsize'`).pluck().get() as number | undefined;
  const setHashSize = db.prepare(`INSERT INTO ${quoted} (${quoted}, rank) VALUES ('hashsize', ?)`);
  // As BigInt: a JavaScript number is bound as a REAL, which FTS5 refuses here.
  setHashSize.run(BigInt(BACKFILL_HASH_BYTES));
  // The config table is read-only to SQL (defensive mode), so an unset value goes back as
  // FTS5's default rather than as no row: the same behaviour.
  return () => setHashSize.run(BigInt(saved ?? FTS5_DEFAULT_HASH_BYTES));
}

const TRIGGER_RE = /^CREATE\s+TRIGGER\s+\S+\s+AFTER\s+INSERT\s+ON\s+messages\s+BEGIN\s+([\s\S]*?);?\s*END\s*$/i;
const INSERT_RE = /^INSERT\s+INTO\s+(\w+)\s*(\([\w\s,]*\))\s*VALUES\s*\(([^;]*)\)$/i;

/** The set-based form of a one-statement `INSERT INTO x (…) VALUES (new.…)` trigger, or null. */
function backfillFor(sql: string): { backfill: string; target: string } | null {
  const body = TRIGGER_RE.exec(sql.trim())?.[1]?.trim();
  if (!body || body.includes(';')) return null;
  const insert = INSERT_RE.exec(body);
  if (!insert) return null;
  const [, target, columns, values] = insert;
  return {
    target: target!,
    backfill: `INSERT INTO ${target} ${columns} SELECT ${values!.replace(/\bnew\./gi, 'm.')} FROM messages AS m WHERE m.rowid > ? ORDER BY m.rowid`,
  };
}
