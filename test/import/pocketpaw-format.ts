import fs from 'node:fs';
import path from 'node:path';

/**
 * PocketPaw's on-disk format, as its Python code writes it (`json.dumps(..., indent=2)` with the
 * default `ensure_ascii=True`): 2-space indent, every non-ASCII UTF-16 unit as `\uXXXX`, no
 * trailing newline. Emoji become surrogate-pair escapes, exactly like Python's output.
 */
export function pythonJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface PpMessage {
  id: string;
  role: string;
  content: string;
  timestamp: string;
  metadata: Record<string, unknown>;
}

export interface PpIndexEntry {
  title: string;
  channel: string;
  created: string;
  last_activity: string;
  message_count: number;
  preview: string;
  user_title?: string;
}

export interface LoadedPocketPawDir {
  root: string;
  sessionsDir: string;
  index: Record<string, PpIndexEntry>;
  /** Every readable, non-empty session file, keyed by session id. */
  sessions: Record<string, PpMessage[]>;
}

/** Reads a PocketPaw data dir the way the test expects it to be understood. */
export function loadPocketPawDir(root: string): LoadedPocketPawDir {
  const sessionsDir = path.join(root, 'memory', 'sessions');
  const index = JSON.parse(fs.readFileSync(path.join(sessionsDir, '_index.json'), 'utf8')) as Record<string, PpIndexEntry>;
  const sessions: Record<string, PpMessage[]> = {};
  for (const name of fs.readdirSync(sessionsDir)) {
    if (!name.endsWith('.json') || name.startsWith('_') || name.endsWith('_compaction.json')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(path.join(sessionsDir, name), 'utf8'));
    } catch {
      continue;
    }
    if (Array.isArray(parsed) && parsed.length > 0) sessions[name.slice(0, -5)] = parsed as PpMessage[];
  }
  return { root, sessionsDir, index, sessions };
}

/**
 * The UTC form the API must give for a PocketPaw local timestamp (spec §11.4): the string read
 * as local time of this machine (`new Date(local)`), microseconds kept, `+00:00` offset.
 */
export function expectedUtc(local: string): string {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${local}`);
  const fraction = (/\.(\d+)$/.exec(local)?.[1] ?? '').padEnd(6, '0');
  return `${d.toISOString().slice(0, 23)}${fraction.slice(3, 6)}+00:00`;
}

/** Local, offset-less, microsecond timestamp as PocketPaw writes it. */
export function localStamp(d: Date, micros = 0): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${p(micros, 3)}`;
}

/** Python slicing counts code points. */
export function firstCodePoints(text: string, n: number): string {
  return [...text].slice(0, n).join('');
}

/** PocketPaw's index entry for a message list (spec §7.3). */
export function indexEntryFor(id: string, messages: PpMessage[], userTitle?: string): PpIndexEntry {
  const firstUser = messages.find((m) => m.role === 'user' && m.content.trim());
  const entry: PpIndexEntry = {
    title: userTitle ?? (firstUser ? firstCodePoints(firstUser.content.trim(), 80) : 'New Chat'),
    channel: id.slice(0, id.indexOf('_')),
    created: messages[0]!.timestamp,
    last_activity: messages[messages.length - 1]!.timestamp,
    message_count: messages.length,
    preview: firstCodePoints(messages[messages.length - 1]!.content, 120),
  };
  if (userTitle) entry.user_title = userTitle;
  return entry;
}

/** Writes one session file and its index entry in PocketPaw's byte format (creating the dir). */
export function writeSession(root: string, id: string, messages: PpMessage[], userTitle?: string): void {
  const sessionsDir = path.join(root, 'memory', 'sessions');
  fs.mkdirSync(sessionsDir, { recursive: true });
  fs.writeFileSync(path.join(sessionsDir, `${id}.json`), pythonJson(messages));
  const indexFile = path.join(sessionsDir, '_index.json');
  const index = fs.existsSync(indexFile) ? (JSON.parse(fs.readFileSync(indexFile, 'utf8')) as Record<string, PpIndexEntry>) : {};
  const previous = index[id];
  index[id] = indexEntryFor(id, messages, userTitle ?? previous?.user_title);
  if (previous) index[id]!.created = previous.created;
  fs.writeFileSync(indexFile, pythonJson(index));
}

const tracked: string[] = [];

/** Remembers a temp dir (or, for a `.pocketpaw` copy, the folder holding it) for removeTracked(). */
export function track(dir: string): string {
  tracked.push(path.basename(dir) === '.pocketpaw' ? path.dirname(dir) : dir);
  return dir;
}

export function removeTracked(): void {
  for (const dir of tracked.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes many session files and one index for them all (writeSession rewrites the index each time). */
export function writeSessions(root: string, sessions: Array<{ id: string; messages: PpMessage[] }>): void {
  const sessionsDir = path.join(root, 'memory', 'sessions');
  fs.mkdirSync(sessionsDir, { recursive: true });
  const index: Record<string, PpIndexEntry> = {};
  for (const { id, messages } of sessions) {
    fs.writeFileSync(path.join(sessionsDir, `${id}.json`), pythonJson(messages));
    index[id] = indexEntryFor(id, messages);
  }
  fs.writeFileSync(path.join(sessionsDir, '_index.json'), pythonJson(index));
}
