import { z } from 'zod';
import type { ToolDefinition } from '../tools/types.js';
import type { ReminderService } from './service.js';

const parameters = z.object({
  message: z.string().min(1).max(5000).describe('The reminder with its time, as the user said it, e.g. "in 10 minutes to stretch" or "at 3pm call mum"'),
});

/**
 * Sets a reminder from any chat. The chat's base key (not a /new alias of it) is kept, so it fires in the chat it was set in: a reminder asked for on Telegram comes back on Telegram, one from the dashboard reaches every open dashboard.
 */
export function createReminderTool(reminders: () => ReminderService): ToolDefinition<typeof parameters> {
  return {
    name: 'set_reminder',
    description: 'Set a reminder for the user. Pass the time and what to remind about in plain words ("in 20 minutes to check the oven", "tomorrow at 9am standup").',
    group: 'system',
    trust: 'safe',
    parameters,
    execute: async ({ message }, ctx) => {
      const reminder = reminders().add(message, new Date(), ctx.baseKey);
      if (!reminder) return 'Could not read a time from that. Ask the user for a time like "in 5 minutes" or "at 3pm".';
      return `Reminder set: "${reminder.text}" at ${reminder.trigger_at} (${reminder.time_remaining}).`;
    },
  };
}
