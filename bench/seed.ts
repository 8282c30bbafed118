import fs from 'node:fs';
import path from 'node:path';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.js';
import type { NewMessage } from '../src/sessions/types.js';
import { formatUtc } from '../src/lib/time.js';
import { openDatabase } from '../src/store/db.js';
import { COMMON_FRACTION, COMMON_WORD, RARE_CJK, RARE_COUNT, RARE_WORD, hex, prng, randInt, sentence, uuid } from './text.js';

export interface SeedOptions {
  home: string;
  sessions: number;
  messagesPerSession: number;
  seed?: number;
  /** Sessions per write transaction. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  dbFile: string;
  ids: string[];
  /** Sessions holding the rare word (one planted message each). */
  rareSessions: string[];
  messages: number;
  commonMessages: number;
  seconds: number;
  dbBytes: number;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
const START = Date.UTC(2025, 0, 1);

/** Size of the database with its WAL and shared-memory files. */
export function dbBytes(dbFile: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += fs.statSync(dbFile + suffix).size;
    } catch {
      // absent
    }
  }
  return total;
}

/**
 * Fills `<home>/pocketpaw.db` through the real store (`SqliteSessionStore.append`), many
 * sessions per transaction and without fsync, then closes it (in WAL mode, as the app leaves
 * it). Sessions start at random times over a year, so insertion order and activity order
 * differ, as they do in real use.
 */
export function seedDatabase(opts: SeedOptions): SeedResult {
  const rand = prng(opts.seed ?? 42);
  const batch = opts.batch ?? 250;
  const n = opts.sessions;
  const per = opts.messagesPerSession;
  const dbFile = path.join(opts.home, 'pocketpaw.db');

  // Rare word: RARE_COUNT distinct sessions spread over the dataset, one message each.
  const rarePlan = new Map<number, number>();
  for (let k = 0; k < RARE_COUNT; k++) {
    const s = Math.floor(((k + 0.5) * n) / RARE_COUNT);
    rarePlan.set(s, randInt(rand, 0, per - 1));
  }

  const started = process.hrtime.bigint();
  const db = openDatabase(dbFile);
  // Seeding only: no fsync and an in-memory rollback journal (about 30% less CPU than WAL).
  // WAL is restored before closing, so the server opens the file exactly as it would its own.
  db.pragma('synchronous = OFF');
  db.pragma('journal_mode = MEMORY');
  const store = new SqliteSessionStore(db);
  const ids: string[] = [];
  const rareSessions: string[] = [];
  let messages = 0;
  let commonMessages = 0;

  const makeSession = (s: number): { id: string; msgs: NewMessage[] } => {
    const id = `websocket_${uuid(rand)}`;
    let t = START + Math.floor(rand() * YEAR_MS);
    const rareAt = rarePlan.get(s);
    const msgs: NewMessage[] = [];
    for (let j = 0; j < per; j++) {
      const extra: string[] = [];
      if (rand() < COMMON_FRACTION) {
        extra.push(COMMON_WORD);
        commonMessages++;
      }
      // The CJK phrase glued to a word, as it would be in Japanese text: no space to split on.
      if (j === rareAt) extra.push(RARE_WORD, `の${RARE_CJK}へ`);
      t += randInt(rand, 3_000, 90_000);
      msgs.push({
        id: hex(rand, 32),
        role: j % 2 === 0 ? 'user' : 'assistant',
        content: sentence(rand, extra),
        timestamp: formatUtc(t, randInt(rand, 0, 999)),
        metadata: {},
      });
    }
    if (rareAt !== undefined) rareSessions.push(id);
    return { id, msgs };
  };

  const writeBatch = db.transaction((items: Array<{ id: string; msgs: NewMessage[] }>) => {
    for (const item of items) store.append(item.id, 'websocket', item.msgs);
  });

  try {
    for (let s = 0; s < n; s += batch) {
      const items: Array<{ id: string; msgs: NewMessage[] }> = [];
      for (let i = s; i < Math.min(n, s + batch); i++) {
        const item = makeSession(i);
        ids.push(item.id);
        messages += item.msgs.length;
        items.push(item);
      }
      writeBatch(items);
      opts.onProgress?.(Math.min(n, s + batch), n);
    }
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`could not restore WAL mode (got ${String(mode)})`);
  } finally {
    db.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { dbFile, ids, rareSessions, messages, commonMessages, seconds, dbBytes: dbBytes(dbFile) };
}
