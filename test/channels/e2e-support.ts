import { expect } from 'vitest';
import type { ChatTestEnv } from '../helpers/chat-server.js';

import { until } from '../helpers/until.js';

export { until };

/** Configures a channel and starts it through the real routes (spec §3.7), as the dashboard does. */
export async function startChannel(env: ChatTestEnv, channel: string, config: Record<string, unknown>): Promise<void> {
  const saved = await env.s.post('/api/channels/save', { channel, config });
  expect(saved.status, saved.text).toBe(200);
  const toggled = await env.s.post('/api/channels/toggle', { channel, action: 'start' });
  expect(toggled.body).toEqual({ channel, configured: true, running: true });
}

/** The audit lines of refused senders, once there are at least `n`: how a test knows a refusal was handled. */
export function refusals(env: ChatTestEnv, n = 1): Promise<{ actor: string; context: Record<string, unknown> }[]> {
  return until(async () => {
    const list = (await env.s.get('/api/v1/audit?action=channel_message_refused')).body as { actor: string; context: Record<string, unknown> }[];
    return list.length >= n ? list : undefined;
  });
}
