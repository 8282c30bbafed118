import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHECKING_DATABASE, HealthService } from '../../src/health/service.js';
import { startIntegrityCheck } from '../../src/health/integrity.js';
import { startTestServer } from '../helpers/server.js';

// Building a ~100 MB database takes a few seconds on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-integrity-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A home whose database takes quick_check a noticeable time (~100 MB of rows). */
function bigDatabase(file: string, rows = 100_000): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB)');
  const insert = db.prepare('INSERT INTO filler (body) VALUES (randomblob(1000))');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run();
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function inputs(home: string, db: Database.Database) {
  const tokenFile = path.join(home, 'access_token');
  fs.writeFileSync(tokenFile, 'x', { mode: 0o600 });
  return { home, db, tokenFile };
}

function newHome(): string {
  return fs.mkdtempSync(path.join(tmp, 'home-'));
}

/** Runs `fn` while a 5 ms timer ticks; the longest gap between ticks is how long the event loop was blocked. */
async function longestStall(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

let bigHome: string;
beforeAll(() => {
  bigHome = newHome();
  bigDatabase(path.join(bigHome, 'pocketpaw.db'));
});

describe('database integrity check (issue 14: off the event loop)', () => {
  it('runs in a worker: the event loop keeps turning while quick_check reads the whole file', async () => {
    const db = new Database(path.join(bigHome, 'pocketpaw.db'));
    try {
      // The same check on the main connection, for scale: the event loop would stall this long.
      const started = performance.now();
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
      const inline = performance.now() - started;
      expect(inline).toBeGreaterThan(50);

      const health = new HealthService(inputs(bigHome, db));
      let summary = health.summary();
      // The answer came before the check finished: the other checks, and a word that it runs.
      expect(summary).toMatchObject({ status: 'healthy', check_count: 3, message: CHECKING_DATABASE });
      let done = false;
      const stall = await longestStall(async () => {
        summary = await health.check();
        done = true;
      });
      expect(done).toBe(true);
      expect(summary).toMatchObject({ status: 'healthy', check_count: 4, issues: [] });
      expect(summary.message).toBeUndefined();
      expect(stall).toBeLessThan(Math.max(40, inline / 2));
      await health.close();
    } finally {
      db.close();
    }
  });

  it('a server answers /api/v1/health at once while the check is still running, then adds its result', async () => {
    const s = await startTestServer({ home: bigHome });
    try {
      const first = await s.get('/api/v1/health');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ status: 'healthy', check_count: 3, issues: [], message: CHECKING_DATABASE, error: null });
      // The explicit run waits for the database's check.
      const run = await s.post('/api/v1/health/check');
      expect(run.body).toMatchObject({ status: 'healthy', check_count: 4, issues: [] });
      expect((await s.get('/api/v1/health')).body).toEqual({ status: 'healthy', check_count: 4, issues: [], error: null });
    } finally {
      // Not s.close(): it removes the home, which the next test shares.
      await s.server.close();
    }
  });

  it('reports a damaged database as critical', async () => {
    const home = newHome();
    const file = path.join(home, 'pocketpaw.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (randomblob(500))');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run();
    })();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    // A b-tree page in the middle of the table overwritten with garbage.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, 20 * pageSize);
    fs.closeSync(fd);

    const main = new Database(file);
    try {
      const health = new HealthService(inputs(home, main));
      const summary = await health.check();
      expect(summary.status).toBe('unhealthy');
      const issue = summary.issues.find((c) => c.check_id === 'database_integrity');
      expect(issue).toMatchObject({ status: 'critical', category: 'storage' });
      expect(issue!.message).toMatch(/^Database integrity check failed: /);
      expect(issue!.fix_hint).toContain('back up pocketpaw.db');
      // Kept until the checks run again.
      expect(health.summary().issues.map((c) => c.check_id)).toEqual(['database_integrity']);
      await health.close();
    } finally {
      main.close();
    }
  });

  it('reports a file that is not a database as critical, and a check that cannot run without crashing', async () => {
    const home = newHome();
    const file = path.join(home, 'pocketpaw.db');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x41));
    const main = new Database(file);
    try {
      const summary = await new HealthService(inputs(home, main)).check();
      expect(summary.issues.find((c) => c.check_id === 'database_integrity')).toMatchObject({
        status: 'critical', message: expect.stringMatching(/^Database integrity check failed: file is not a database/),
      });
      // The file gone (moved aside under a running server): the worker cannot open it.
      fs.rmSync(file);
      expect(await startIntegrityCheck(main).outcome).toEqual({ kind: 'failed', error: expect.any(String) });
    } finally {
      main.close();
    }
  });

  it('close() stops a running check; its result never lands', async () => {
    const db = new Database(path.join(bigHome, 'pocketpaw.db'));
    try {
      const health = new HealthService(inputs(bigHome, db));
      const pending = health.check();
      await health.close();
      const summary = await pending;
      expect(summary.check_count).toBe(3);
      expect(health.summary().message).toBe(CHECKING_DATABASE);
    } finally {
      db.close();
    }
  });
});
