import { dashboardActions } from './dashboard.js';
import { planActions } from './plan.js';
import type { WsActions } from './types.js';

/** Actions handled outside the chat core, by capability; each module owns its own file. */
export const extraActions: WsActions = { ...dashboardActions, ...planActions };
