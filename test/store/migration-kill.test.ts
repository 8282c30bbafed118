import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { runCli, spawnCli } from '../cli/cli.js';

vi.setConfig({ testTimeout: 120_000 });

// Schema 6 rewrites both tables (seconds on a large history). A SIGKILL at any moment of it
// must leave the previous data readable, and the next start must finish the upgrade.
const SESSIONS = 600;
const PER_SESSION = 100;
const home = tempDir();
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** A schema-5 database with SESSIONS × PER_SESSION messages, written as schema 5 wrote them. */
function writeSchema5(file: string): void {
  const db = openDatabase(file, { migrateTo: SCHEMA_VERSION - 1 });
  const session = db.prepare(
    "INSERT INTO sessions (id, channel, auto_title, created, last_activity, message_count, preview) VALUES (?, 'websocket', ?, ?, ?, ?, '')",
  );
  const message = db.prepare(
    "INSERT INTO messages (session_id, seq, id, role, content, timestamp, parent_id) VALUES (?, ?, ?, 'user', ?, '2026-01-01T10:00:00.000000+00:00', ?)",
  );
  db.transaction(() => {
    for (let s = 0; s < SESSIONS; s++) {
      const id = `websocket_s${s}`;
      session.run(id, `Chat ${s}`, '2026-01-01T10:00:00.000000+00:00', `2026-01-01T10:${String(s % 60).padStart(2, '0')}:00.000000+00:00`, PER_SESSION);
      for (let m = 0; m < PER_SESSION; m++) {
        message.run(id, m, `m${m}`, `message ${m} of chat ${s}: the quick brown fox ${s * PER_SESSION + m} 夜空`, m ? `m${m - 1}` : null);
      }
    }
  })();
  db.close();
}

describe('the schema-6 upgrade', () => {
  it('killed half-way leaves schema 5 intact; the next start completes it', async () => {
    const file = path.join(home, 'pocketpaw.db');
    writeSchema5(file);
    // The CLI upgrades on open; kill it once it has announced the upgrade (it is then copying).
    const child = spawnCli(['sessions', 'list'], home);
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (c: string) => {
        stderr += c;
        if (stderr.includes('Upgrading the database')) setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 50);
      });
      child.on('close', (code) => reject(new Error(`finished before the kill (code ${code}): ${stderr}`)));
    });

    const after = new Database(file);
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION - 1);
    expect(after.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(SESSIONS * PER_SESSION);
    after.close();

    const done = await runCli(['sessions', 'list', '--json'], home);
    expect(done.code, done.stderr).toBe(0);
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const store = new SqliteSessionStore(db);
    expect(store.count()).toBe(SESSIONS);
    expect(store.messages('websocket_s7')).toHaveLength(PER_SESSION);
    expect(store.message('websocket_s7', 'm5')).toMatchObject({ parent_id: 'm4', children: 1, active: true });
    expect(store.search(`fox ${7 * PER_SESSION + 5} 夜空`, 5).map((h) => h.id)).toEqual(['websocket_s7']);
    db.close();
  });
});
