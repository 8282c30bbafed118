import { EventEmitter } from 'node:events';
import type { SessionRecord } from './types.js';

interface SessionEventMap {
  updated: [SessionRecord];
  deleted: [string];
}

/** Tells live clients (WebSocket dashboards) that a session was created, retitled or deleted. */
export class SessionEvents extends EventEmitter<SessionEventMap> {}
