import fs from 'node:fs';
import path from 'node:path';
import { hex, pick, prng, randInt, sentence, uuid } from './text.js';

/**
 * Writes a PocketPaw (Python) 0.4.4 data dir in its on-disk format (see
 * test/fixtures/README.md): `memory/sessions/<id>.json`, a JSON array of
 * {id, role, content, timestamp, metadata}, plus `_index.json`; 2-space indented, ASCII-escaped
 * (Python's json.dumps default), no trailing newline, offset-less local timestamps with
 * microseconds.
 */
export interface PocketPawDirOptions {
  root: string;
  sessions: number;
  messagesPerSession: number;
  seed?: number;
  /** One session in this many has a user title in the index. */
  renamedEvery?: number;
}

export interface PocketPawDirResult {
  root: string;
  sessions: number;
  messages: number;
  bytes: number;
  seconds: number;
}

/** Python's `json.dumps(..., indent=2)` with the default `ensure_ascii=True`. */
function pythonJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `2026-02-10T10:00:00.123456`: local time, no offset (spec §7.2). */
function localTime(ms: number, micros: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${p(micros, 3)}`;
}

const UNICODE_TAILS = [' Café au lait ☕', ' Grüße aus München', ' 東京で会いましょう', ' Sounds good 🍋'];

export function writePocketPawDir(opts: PocketPawDirOptions): PocketPawDirResult {
  const started = process.hrtime.bigint();
  const rand = prng(opts.seed ?? 7);
  const dir = path.join(opts.root, 'memory', 'sessions');
  fs.mkdirSync(dir, { recursive: true });
  const renamedEvery = opts.renamedEvery ?? 50;
  const index: Record<string, Record<string, unknown>> = {};
  const start = new Date(2026, 0, 1, 9, 0, 0).getTime();
  let messages = 0;
  let bytes = 0;

  for (let s = 0; s < opts.sessions; s++) {
    const id = `websocket_${uuid(rand)}`;
    let t = start + Math.floor(rand() * 40 * 24 * 3600 * 1000);
    const list = [];
    for (let j = 0; j < opts.messagesPerSession; j++) {
      t += randInt(rand, 3_000, 90_000);
      let content = sentence(rand, rand() < 0.4 ? ['garden'] : []);
      if (rand() < 0.05) content += pick(rand, UNICODE_TAILS);
      list.push({
        id: uuid(rand),
        role: j % 2 === 0 ? 'user' : 'assistant',
        content,
        timestamp: localTime(t, randInt(rand, 0, 999)),
        metadata: {},
      });
    }
    messages += list.length;
    const text = pythonJson(list);
    bytes += text.length;
    fs.writeFileSync(path.join(dir, `${id}.json`), text);
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const entry: Record<string, unknown> = {
      title: first.content.trim().slice(0, 80),
      channel: 'websocket',
      created: first.timestamp,
      last_activity: last.timestamp,
      message_count: list.length,
      preview: last.content.slice(0, 120),
    };
    if (s % renamedEvery === 0) entry.user_title = `Renamed ${hex(rand, 6)}`;
    index[id] = entry;
  }
  const indexText = pythonJson(index);
  bytes += indexText.length;
  fs.writeFileSync(path.join(dir, '_index.json'), indexText);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { root: opts.root, sessions: opts.sessions, messages, bytes, seconds };
}
