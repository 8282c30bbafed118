import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { withDeferredSync } from '../../src/store/deferred-sync.js';
import { durableSink } from '../../src/chat/durable-sink.js';
import type { TurnSink } from '../../src/chat/turn-sink.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function db() {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'pocketpaw.db');
  const handle = openDatabase(file);
  handle.exec('CREATE TABLE t (v TEXT)');
  return { handle, file };
}

const FULL = 2;

describe('withDeferredSync: commit now, fsync on the thread pool', () => {
  it('the write is committed and readable at once; durable resolves; every other write still commits with synchronous=FULL', async () => {
    const { handle, file } = db();
    const { result, durable } = withDeferredSync(handle, () => handle.prepare('INSERT INTO t VALUES (?)').run('hello').changes);
    expect(result).toBe(1);
    expect(handle.pragma('synchronous', { simple: true })).toBe(FULL);
    // Another connection (another process would be the same) sees the committed row before the sync finished.
    const reader = openDatabase(file);
    expect(reader.prepare('SELECT v FROM t').pluck().all()).toEqual(['hello']);
    reader.close();
    await expect(durable).resolves.toBeUndefined();
    handle.close();
  });

  it('a write that throws rolls nothing into the file, still restores FULL, and throws to the caller', () => {
    const { handle } = db();
    expect(() => withDeferredSync(handle, () => handle.transaction(() => {
      handle.prepare('INSERT INTO t VALUES (?)').run('half');
      throw new Error('disk said no');
    })())).toThrow('disk said no');
    expect(handle.pragma('synchronous', { simple: true })).toBe(FULL);
    expect(handle.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
    handle.close();
  });
});

describe('durableSink: nothing of the turn reaches the client before the message is on disk', () => {
  function recorder() {
    const calls: string[] = [];
    const sink: TurnSink = {
      started: (k) => calls.push(`started ${k}`),
      text: (d) => calls.push(`text ${d}`),
      message: (c, n) => calls.push(`message ${n} ${c}`),
      event: (e) => calls.push(`event ${e.type}`),
      end: (i) => calls.push(`end ${i.failed}`),
    };
    return { calls, sink };
  }

  it('holds frames until durable, then replays them in order and passes later ones straight through', async () => {
    const { calls, sink } = recorder();
    let resolve!: () => void;
    const durable = new Promise<void>((r) => (resolve = r));
    const gated = durableSink(sink, durable, () => undefined);
    gated.started('websocket:x');
    gated.text('Hel');
    gated.text('lo');
    expect(calls).toEqual([]);
    resolve();
    await durable;
    expect(calls).toEqual(['started websocket:x', 'text Hel', 'text lo']);
    gated.end({ usage: null, interrupted: false, failed: false });
    expect(calls.at(-1)).toBe('end false');
  });

  it('if the message cannot be made durable: the turn is stopped and reported failed with what to do, and nothing held is sent', async () => {
    const { calls, sink } = recorder();
    let stopped = false;
    const gated = durableSink(sink, Promise.reject(new Error('ENOSPC: no space left on device')), () => (stopped = true));
    gated.started('websocket:x');
    gated.text('answer');
    await new Promise((r) => setTimeout(r, 0));
    gated.text('more');
    expect(stopped).toBe(true);
    expect(calls).toEqual([
      'message failure Your message could not be saved to disk (ENOSPC: no space left on device). Check the free space of the data folder, then send it again.',
      'end true',
    ]);
  });
});
