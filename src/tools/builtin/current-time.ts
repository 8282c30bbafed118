import { z } from 'zod';
import type { ToolDefinition } from '../types.js';

const parameters = z.object({ timezone: z.string().optional().describe('IANA time zone name, e.g. "Europe/Paris"') });

/** A harmless built-in tool: the current date and time. */
export const currentTimeTool: ToolDefinition<typeof parameters> = {
  name: 'current_time',
  description: 'Get the current date and time, optionally in a given IANA time zone (e.g. "Europe/Paris").',
  group: 'system',
  trust: 'safe',
  parameters,
  execute: async ({ timezone }) => {
    const now = new Date();
    try {
      const local = now.toLocaleString('en-GB', { timeZone: timezone, dateStyle: 'full', timeStyle: 'long' });
      return `${local} (UTC ${now.toISOString()})`;
    } catch {
      return `Unknown time zone "${timezone}". UTC now: ${now.toISOString()}`;
    }
  },
};
