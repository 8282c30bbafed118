import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { nowIso } from '../lib/time.js';
import { indexText, inScope, queryPhrases } from './fts.js';
import { memoryEntryId, OWNER_SCOPE, scopeFile } from './ids.js';

export const DEFAULT_HEADER = 'Memory';
const MAX_TAGS = 20;
const MAX_TAG_CHARS = 50;
/** A query term in more memories than this is common (see `search`). */
const COMMON_MATCHES = 500;
/** bm25 ranks at most this many of the newest matches (see `search`). */
const RECENT_WINDOW = 500;
/** Terms ranked when all of them are common. */
const MAX_COMMON_TERMS = 8;

export interface MemoryEntry {
  id: string;
  /** `owner`, or the 16-hex hash of another sender's id (spec §8). */
  scope: string;
  header: string;
  content: string;
  tags: string[];
  created_at: string;
}

export interface NewMemory {
  scope: string;
  content: string;
  header?: string;
  tags?: string[];
  /** Defaults to spec §8's UUIDv5 of the scope's PocketPaw file path, header and content. */
  id?: string;
  createdAt?: string;
}

interface Row {
  id: string;
  scope: string;
  header: string;
  content: string;
  tags: string;
  created_at: string;
}

const COLUMNS = 'm.id, m.scope, m.header, m.content, m.tags, m.created_at';

/** `#word` tokens in text (spec §8); not `C#` or `page#anchor`. */
export function tagsInText(text: string): string[] {
  return [...text.matchAll(/(?:^|[\s(,;])#([\p{L}\p{N}_][\p{L}\p{N}_-]*)/gu)].map((m) => m[1]!);
}

export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim().replace(/^#+/, '').replace(/\s+/g, '_').slice(0, MAX_TAG_CHARS);
    if (t && !out.includes(t)) out.push(t);
    if (out.length >= MAX_TAGS) break;
  }
  return out;
}

function toEntry(r: Row): MemoryEntry {
  let tags: string[] = [];
  try {
    const parsed = JSON.parse(r.tags) as unknown;
    if (Array.isArray(parsed)) tags = parsed.filter((t): t is string => typeof t === 'string');
  } catch { /* a hand-edited row: no tags */ }
  return { id: r.id, scope: r.scope, header: r.header, content: r.content, tags, created_at: r.created_at };
}

function dedupeKey(scope: string, header: string, content: string): string {
  return crypto.createHash('sha256').update(`${scope}\0${header}\0${content}`).digest('hex');
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT OR IGNORE INTO memories (id, scope, header, content, tags, created_at, dedupe_key)
       VALUES (@id, @scope, @header, @content, @tags, @created_at, @dedupe_key)`,
    ),
    insertFts: db.prepare('INSERT INTO memories_fts (rowid, body, tags, scope) VALUES (?, ?, ?, ?)'),
    byDedupe: db.prepare(`SELECT ${COLUMNS} FROM memories m WHERE m.dedupe_key = ?`),
    byId: db.prepare(`SELECT ${COLUMNS} FROM memories m WHERE m.id = ?`),
    rowidOf: db.prepare('SELECT rowid FROM memories WHERE id = ?').pluck(),
    deleteRow: db.prepare('DELETE FROM memories WHERE rowid = ?'),
    deleteFts: db.prepare('DELETE FROM memories_fts WHERE rowid = ?'),
    ownerFirst: db.prepare(`SELECT ${COLUMNS} FROM memories m WHERE m.scope = '${OWNER_SCOPE}' ORDER BY m.rowid LIMIT ?`),
    others: db.prepare(`SELECT ${COLUMNS} FROM memories m WHERE m.scope != '${OWNER_SCOPE}' ORDER BY m.rowid LIMIT ?`),
    recent: db.prepare(`SELECT ${COLUMNS} FROM memories m WHERE m.scope = ? ORDER BY m.rowid DESC LIMIT ?`),
    // More than `offset` matches? (Reads at most offset + 1 doclist entries.)
    nthNewest: db.prepare('SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?').pluck(),
    // bm25 through an explicit call, not the `rank` column: only then does FTS5 honour the rowid
    // bound. Rows are joined after ranking, so the sort carries two numbers, not the content.
    ranked: db.prepare(
      `SELECT ${COLUMNS} FROM (
         SELECT rowid AS r, bm25(memories_fts, 1.0, 0.5, 0.0) AS score FROM memories_fts
         WHERE memories_fts MATCH ? AND rowid >= ?
       ) t JOIN memories m ON m.rowid = t.r
       WHERE m.scope = ? ORDER BY t.score, m.rowid DESC LIMIT ?`,
    ),
    total: db.prepare('SELECT count(*) FROM memories').pluck(),
    owner: db.prepare(`SELECT count(*) FROM memories WHERE scope = '${OWNER_SCOPE}'`).pluck(),
    scopes: db.prepare('SELECT count(DISTINCT scope) FROM memories').pluck(),
  };
}

/**
 * Long-term memory in SQLite (spec §8, §11.1): one row per entry with its sender scope, and an
 * FTS5 index written in the same transaction. Every writer (the server, `pocketpaw import`)
 * goes through this class, so the index never drifts from the rows.
 */
export class MemoryStore {
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(private readonly db: Database.Database, private readonly home: string) {
    this.stmts = prepare(db);
  }

  /**
   * Saves an entry. Saving the same content under the same header and scope again is a no-op
   * that returns the existing entry (spec §8), whatever id the new one would have had.
   */
  add(m: NewMemory): { entry: MemoryEntry; added: boolean } {
    return this.db.transaction(() => this.addOne(m))();
  }

  /** Many entries in one transaction; returns how many were new. */
  addMany(items: readonly NewMemory[]): number {
    return this.db.transaction(() => items.reduce((n, m) => n + (this.addOne(m).added ? 1 : 0), 0))();
  }

  private addOne(m: NewMemory): { entry: MemoryEntry; added: boolean } {
    const content = m.content.trim();
    if (!content) throw new Error('A memory needs some content');
    const header = (m.header ?? DEFAULT_HEADER).trim() || DEFAULT_HEADER;
    const tags = normalizeTags([...(m.tags ?? []), ...tagsInText(content)]);
    const key = dedupeKey(m.scope, header, content);
    const row: Row & { dedupe_key: string } = {
      id: m.id ?? memoryEntryId(scopeFile(this.home, m.scope), header, content),
      scope: m.scope,
      header,
      content,
      tags: JSON.stringify(tags),
      created_at: m.createdAt ?? nowIso(),
      dedupe_key: key,
    };
    const info = this.stmts.insert.run(row);
    if (info.changes === 0) {
      const existing = (this.stmts.byDedupe.get(key) ?? this.stmts.byId.get(row.id)) as Row;
      return { entry: toEntry(existing), added: false };
    }
    const extra = header === DEFAULT_HEADER ? tags : [header, ...tags];
    this.stmts.insertFts.run(info.lastInsertRowid, indexText(content), indexText(extra.join(' ')), m.scope);
    return { entry: toEntry(row), added: true };
  }

  get(id: string): MemoryEntry | undefined {
    const row = this.stmts.byId.get(id) as Row | undefined;
    return row && toEntry(row);
  }

  /** Deletes entries by id; returns how many existed. */
  delete(...ids: string[]): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const id of ids) {
        const rowid = this.stmts.rowidOf.get(id) as number | bigint | undefined;
        if (rowid === undefined) continue;
        this.stmts.deleteFts.run(rowid);
        this.stmts.deleteRow.run(rowid);
        n++;
      }
      return n;
    })();
  }

  /** Spec §8 listing: every scope, the owner's entries first, each in the order saved. */
  list(limit: number): MemoryEntry[] {
    if (limit <= 0) return [];
    const owner = this.stmts.ownerFirst.all(limit) as Row[];
    const rest = owner.length < limit ? this.stmts.others.all(limit - owner.length) as Row[] : [];
    return [...owner, ...rest].map(toEntry);
  }

  /** A scope's newest entries first. */
  recent(scope: string, limit: number): MemoryEntry[] {
    return (this.stmts.recent.all(scope, limit) as Row[]).map(toEntry);
  }

  /**
   * A scope's entries matching the query, most relevant first (bm25; newer first on ties).
   * `any` ranks entries sharing any term; `all` keeps only entries containing every term.
   *
   * Kept fast at 100k+ memories, where bm25 over every match of a common word would cost tens
   * of milliseconds: when the query has rarer terms (in at most COMMON_MATCHES memories) besides
   * common ones, only entries containing a rarer one are ranked (by all the terms); and bm25
   * ranks at most the RECENT_WINDOW newest matches of the scope, so a query of common words
   * looks at recent memories only. Below those sizes the ranking is exact.
   */
  search(scope: string, query: string, limit: number, mode: 'any' | 'all' = 'any'): MemoryEntry[] {
    let phrases = queryPhrases(query, mode);
    if (!phrases.length || limit <= 0) return [];
    const many = (expr: string, n: number) => this.stmts.nthNewest.get(expr, n) !== undefined;
    const inText = (ps: string[]) => `{body tags} : (${ps.join(mode === 'all' ? ' AND ' : ' OR ')})`;
    let expression = inText(phrases);
    if (mode === 'any' && phrases.length > 1) {
      phrases = phrases.filter((p) => many(inText([p]), 0));
      if (!phrases.length) return [];
      const rare = phrases.filter((p) => !many(inText([p]), COMMON_MATCHES));
      expression = rare.length && rare.length < phrases.length
        ? `${inText(phrases)} AND ${inText(rare)}`
        // Only common words: the longest few say the most, and bm25's cost grows with each term.
        : inText(rare.length ? phrases : [...phrases].sort((a, b) => b.length - a.length).slice(0, MAX_COMMON_TERMS));
    }
    // Few matches overall: rank them all and keep the scope's. Many: rank the scope's newest.
    let threshold = 0;
    if (many(expression, RECENT_WINDOW - 1)) {
      threshold = (this.stmts.nthNewest.get(inScope(scope, expression), RECENT_WINDOW - 1) as number | undefined) ?? 0;
    }
    return (this.stmts.ranked.all(expression, threshold, scope, limit) as Row[]).map(toEntry);
  }

  stats(): { total: number; owner: number; scopes: number } {
    return {
      total: this.stmts.total.get() as number,
      owner: this.stmts.owner.get() as number,
      scopes: this.stmts.scopes.get() as number,
    };
  }
}
