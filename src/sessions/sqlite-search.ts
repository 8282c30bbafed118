import type Database from 'better-sqlite3';
import { codePointLength, firstCodePoints } from '../lib/text.js';
import type { SearchHit } from './types.js';

export const MATCH_CHARS = 200;
/** Above this many index hits a query counts as common, and walking recent sessions is cheaper. */
const RARE_QUERY_CAP = 2000;
/** Sessions per walk page: small first (a common word is found at once), doubling up to the max. */
const WALK_FIRST_PAGE = 25;
const WALK_MAX_PAGE = 800;

interface HitRow {
  session_id: string;
  role: string;
  content: string;
  seq: number;
  title: string;
  channel: string;
  last_activity: string;
}

const statements = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

function prepare(db: Database.Database) {
  // Case-insensitive substring test with JavaScript's Unicode lower-casing (PocketPaw's
  // `q.lower() in content.lower()`); SQLite's own lower() folds ASCII only.
  db.function('pp_icontains', { deterministic: true }, (content: unknown, needle: unknown) =>
    typeof content === 'string' && typeof needle === 'string' && content.toLowerCase().includes(needle) ? 1 : 0,
  );
  const hitColumns = `s.id AS session_id, m.role, m.content, min(m.seq) AS seq,
    coalesce(s.user_title, s.auto_title, 'New Chat') AS title, s.channel, s.last_activity`;
  // Every hit joins its sessions row: messages of a deleted session, still waiting for the
  // sweeper (src/sessions/sqlite-sweeper.ts), have none and are never shown.
  return {
    candidates: db.prepare(
      `SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ${RARE_QUERY_CAP + 1}`,
    ).pluck(),
    hitsForRows: db.prepare(
      `SELECT ${hitColumns} FROM messages m JOIN sessions s ON s.key = m.session
       WHERE m.rowid IN (SELECT value FROM json_each(?)) AND m.active = 1 AND pp_icontains(m.content, ?)
       GROUP BY m.session ORDER BY s.last_activity DESC, s.id DESC LIMIT ?`,
    ),
    sessionPage: db.prepare(
      `SELECT key, id, last_activity FROM sessions WHERE (last_activity, id) < (?, ?)
       ORDER BY last_activity DESC, id DESC LIMIT ?`,
    ),
    hitsInSessionsAscii: db.prepare(
      `SELECT ${hitColumns} FROM messages m JOIN sessions s ON s.key = m.session
       WHERE m.session IN (SELECT value FROM json_each(?)) AND m.active = 1 AND instr(lower(m.content), ?) > 0
       GROUP BY m.session`,
    ),
    hitsInSessionsUnicode: db.prepare(
      `SELECT ${hitColumns} FROM messages m JOIN sessions s ON s.key = m.session
       WHERE m.session IN (SELECT value FROM json_each(?)) AND m.active = 1 AND pp_icontains(m.content, ?)
       GROUP BY m.session`,
    ),
  };
}

/** Trigrams looked up per query at most: enough to make any real query selective. */
const MAX_TRIGRAMS = 12;

/**
 * The query as an index lookup: the message must hold these trigrams (three code points) of it.
 * The index keeps no positions (detail=none, migration 6), so it cannot check that they are in
 * order; the candidates are checked against the text. A long query uses MAX_TRIGRAMS of its
 * trigrams spread over it, first and last included: every one of thousands would make FTS5
 * intersect thousands of lists (1.7 s for 20,000 CJK characters) for no better answer. FTS5 folds
 * the case of each trigram.
 */
export function trigramQuery(query: string): string {
  const points = [...query];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= points.length; i++) grams.add(points.slice(i, i + 3).join(''));
  let picked = [...grams];
  if (picked.length > MAX_TRIGRAMS) {
    const step = (picked.length - 1) / (MAX_TRIGRAMS - 1);
    picked = Array.from({ length: MAX_TRIGRAMS }, (_, k) => picked[Math.round(k * step)]!);
  }
  return picked.map((g) => `"${g.replace(/"/g, '""')}"`).join(' AND ');
}

/**
 * Case-insensitive substring search over message content (spec §3.1.1, §11.3): one hit per
 * session, the session's first matching message, sessions ordered by last activity.
 *
 * Queries of 3+ characters go to the trigram index. If it finds few messages (the usual case
 * for a real search), those are the answer. If it finds many, the query is common, and walking
 * sessions from the most recent finds `limit` hits within the first few pages. Queries of 1–2
 * characters are shorter than a trigram and always walk; they are common by nature.
 */
export function searchMessages(db: Database.Database, query: string, limit: number): SearchHit[] {
  if (!query.trim() || limit <= 0) return [];
  let stmts = statements.get(db);
  if (!stmts) {
    stmts = prepare(db);
    statements.set(db, stmts);
  }
  const needle = query.toLowerCase();

  if (codePointLength(query) >= 3) {
    const rowids = stmts.candidates.all(trigramQuery(query)) as number[];
    if (rowids.length <= RARE_QUERY_CAP) {
      return (stmts.hitsForRows.all(JSON.stringify(rowids), needle, limit) as HitRow[]).map(toHit);
    }
  }

  // Walk sessions newest first, a page at a time, until `limit` sessions matched.
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(needle);
  const inSessions = ascii ? stmts.hitsInSessionsAscii : stmts.hitsInSessionsUnicode;
  const hits: SearchHit[] = [];
  let cursor: [string, string] = ['\uffff', '\uffff'];
  let pageSize = Math.max(WALK_FIRST_PAGE, limit);
  for (;; pageSize = Math.min(pageSize * 2, WALK_MAX_PAGE)) {
    const page = stmts.sessionPage.all(cursor[0], cursor[1], pageSize) as { key: number; id: string; last_activity: string }[];
    if (page.length === 0) break;
    const found = new Map<string, HitRow>();
    for (const row of inSessions.all(JSON.stringify(page.map((p) => p.key)), needle) as HitRow[]) {
      found.set(row.session_id, row);
    }
    for (const p of page) {
      const row = found.get(p.id);
      if (!row) continue;
      hits.push(toHit(row));
      if (hits.length >= limit) return hits;
    }
    const lastRow = page[page.length - 1]!;
    cursor = [lastRow.last_activity, lastRow.id];
  }
  return hits;
}

function toHit(row: HitRow): SearchHit {
  return {
    id: row.session_id,
    title: row.title,
    channel: row.channel,
    match: firstCodePoints(row.content, MATCH_CHARS),
    match_role: row.role,
    last_activity: row.last_activity,
  };
}
