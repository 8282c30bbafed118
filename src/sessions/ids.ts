/** Channels PocketPaw knows (spec §7.1), longest first so `google_chat_x` is not read as `google`. */
const KNOWN_CHANNELS = [
  'google_chat', 'websocket', 'telegram', 'discord', 'whatsapp', 'webhook', 'matrix', 'signal',
  'system', 'slack', 'teams', 'cli',
];

/** Longest id we will look up; anything longer cannot name a session (spec §11.5 → 404). */
export const MAX_SESSION_ID_LENGTH = 512;

export { toSessionId } from '../protocol/sessions.js';

/** The channel a session id belongs to, for sessions that arrive without an index entry. */
export function channelOf(sessionId: string): string {
  for (const ch of KNOWN_CHANNELS) {
    if (sessionId.startsWith(`${ch}_`) || sessionId === ch) return ch;
  }
  const cut = sessionId.indexOf('_');
  return cut > 0 ? sessionId.slice(0, cut) : 'unknown';
}

/** Session ids that can never name a stored session (reserved PocketPaw files, oversized input). */
export function isPlausibleSessionId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_SESSION_ID_LENGTH && !id.startsWith('_') && !id.endsWith('_compaction');
}
