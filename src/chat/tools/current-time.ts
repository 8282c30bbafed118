import { tool } from 'ai';
import { z } from 'zod';

/** A harmless built-in tool, so the tool-calling path runs end to end before the full set lands. */
export const currentTimeTool = tool({
  description: 'Get the current date and time, optionally in a given IANA time zone (e.g. "Europe/Paris").',
  inputSchema: z.object({ timezone: z.string().optional().describe('IANA time zone name') }),
  execute: async ({ timezone }) => {
    const now = new Date();
    try {
      const local = now.toLocaleString('en-GB', { timeZone: timezone, dateStyle: 'full', timeStyle: 'long' });
      return `${local} (UTC ${now.toISOString()})`;
    } catch {
      return `Unknown time zone "${timezone}". UTC now: ${now.toISOString()}`;
    }
  },
});

export const builtinTools = { current_time: currentTimeTool };
