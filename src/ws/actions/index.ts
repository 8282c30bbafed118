import { dashboardActions } from './dashboard.js';
import { intentionActions } from './intentions.js';
import { messageActions } from './messages.js';
import { planActions } from './plan.js';
import { reminderActions } from './reminders.js';
import { skillActions } from './skills.js';
import type { WsActions } from './types.js';

/** Actions handled outside the chat core, by capability; each module owns its own file. */
export const extraActions: WsActions = { ...dashboardActions, ...reminderActions, ...intentionActions, ...skillActions, ...planActions, ...messageActions };
