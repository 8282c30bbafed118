import type { WsActions } from './types.js';

/**
 * PocketPaw dashboard actions beyond chat (spec §4.3: status, health, reminders, intentions,
 * skills, …). Filled in by the PocketPaw-clients issue.
 */
export const dashboardActions: WsActions = {};
