import crypto from 'node:crypto';
import fs from 'node:fs';
import { normalizeTimestamp } from '../lib/time.js';
import type { NewMessage } from '../sessions/types.js';

export type SessionFileResult =
  | { ok: true; messages: NewMessage[]; skippedMessages: number }
  | { ok: false; reason: string };

/**
 * Reads one PocketPaw session file (spec §7.2): a JSON array of messages. Messages without
 * content are skipped and counted; a missing id gets a stable one derived from the message, so
 * importing twice still finds it; an unreadable timestamp falls back to the file's time.
 */
export function readSessionFile(file: string): SessionFileResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, reason: `cannot read: ${(err as Error).message}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON, probably cut off by a crash (${(err as Error).message})` };
  }
  if (!Array.isArray(parsed)) return { ok: false, reason: 'not a list of messages' };
  if (parsed.length === 0) return { ok: false, reason: 'empty: no messages' };

  // Looked up only when a message needs it: a stat per file adds up over 10,000 files.
  let fallbackTime: string | undefined;
  const fileTime = () => (fallbackTime ??= normalizeTimestamp(fs.statSync(file).mtime.toISOString())!);
  const messages: NewMessage[] = [];
  let skippedMessages = 0;
  parsed.forEach((raw: unknown, index) => {
    if (!raw || typeof raw !== 'object' || typeof (raw as { content?: unknown }).content !== 'string') {
      skippedMessages++;
      return;
    }
    const m = raw as Record<string, unknown>;
    const content = m.content as string;
    const role = typeof m.role === 'string' && m.role ? m.role : 'user';
    const id = typeof m.id === 'string' && m.id
      ? m.id
      : crypto.createHash('sha256').update(`${index}\0${role}\0${String(m.timestamp)}\0${content}`).digest('hex').slice(0, 32);
    const metadata = m.metadata && typeof m.metadata === 'object' && !Array.isArray(m.metadata) ? (m.metadata as Record<string, unknown>) : {};
    messages.push({ id, role, content, timestamp: normalizeTimestamp(m.timestamp) ?? fileTime(), metadata });
  });
  if (messages.length === 0) return { ok: false, reason: 'no readable messages' };
  return { ok: true, messages, skippedMessages };
}
