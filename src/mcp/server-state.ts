import type { StoredServer } from './config.js';
import type { Connection } from './connect.js';

/** First wait before restarting a server that crashed; doubled each time, up to the cap. */
export const RESTART_BASE_MS = 1000;
export const RESTART_CAP_MS = 30_000;
/** A connection that lived this long resets the backoff: the next crash restarts after 1 s again. */
export const STABLE_AFTER_MS = 60_000;

/** One configured server at run time: its connection, or why there is none. */
export interface ServerState {
  config: StoredServer;
  conn: Connection | null;
  /** The connect in progress, if any. */
  connecting: Promise<void> | null;
  error: string;
  /** Crashes in a row (for the backoff). */
  crashes: number;
  connectedAt: number;
  retry: NodeJS.Timeout | null;
  /** Bumped by every start and stop: a connect that finishes for an older generation is closed. */
  generation: number;
}

export function newState(config: StoredServer): ServerState {
  return { config, conn: null, connecting: null, error: '', crashes: 0, connectedAt: 0, retry: null, generation: 0 };
}

export function backoffMs(crashes: number): number {
  return Math.min(RESTART_BASE_MS * 2 ** Math.max(0, crashes - 1), RESTART_CAP_MS);
}

/** Same config as far as running it goes (a change restarts the server). */
export function sameLaunch(a: StoredServer, b: StoredServer): boolean {
  const { enabled: _a, ...ra } = a;
  const { enabled: _b, ...rb } = b;
  return JSON.stringify(ra) === JSON.stringify(rb);
}
