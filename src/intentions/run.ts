import type { ChatService } from '../chat/service.js';
import type { HealthService } from '../health/service.js';
import type { TurnSink } from '../chat/turn-sink.js';
import type { ServerFrame } from '../protocol/index.js';
import { nowIso } from '../lib/time.js';
import { formatStatus, systemSnapshot } from '../health/system-status.js';
import type { Intention } from './service.js';

/** What an intention run needs: its data dir (system status), health, and the chat to run in. */
export interface IntentionRunDeps {
  home: string;
  health: Pick<HealthService, 'summary'>;
  chat: Pick<ChatService, 'runTurn'>;
  /** Also sends the result to the owner's `notify_channel`, when one is set and running. */
  notify?(text: string): void;
}

/** What the context sources of spec §3.14 add in front of the intention's prompt. */
async function contextBlock(ctx: IntentionRunDeps, sources: string[]): Promise<string> {
  const parts: string[] = [];
  for (const source of sources) {
    if (source === 'datetime') parts.push(`Current date and time: ${new Date().toString()}`);
    if (source === 'system_status') parts.push(formatStatus(await systemSnapshot(ctx.home)));
    if (source === 'health_status') {
      try {
        const h = ctx.health.summary();
        parts.push([`Health: ${h.status} (${h.check_count} checks)`, ...h.issues.map((i) => `- ${i.name}: ${i.message}`)].join('\n'));
      } catch (err) {
        parts.push(`Health: unknown (${(err as Error).message})`);
      }
    }
  }
  return parts.join('\n\n');
}

/**
 * Runs one intention as an agent turn in its own session (`system:intention:<id>`) and tells
 * every dashboard: `intention_started`, the agent's answer as a `message` frame carrying the
 * intention id (spec §10 item 9), then `intention_completed` or `intention_error` (§4.4).
 */
export function intentionRunner(ctx: IntentionRunDeps, broadcast: (frame: ServerFrame) => void): (i: Intention) => Promise<void> {
  return async (intention) => {
    const base = { intention_id: intention.id, intention_name: intention.name };
    broadcast({ type: 'intention_started', ...base, timestamp: nowIso() });
    const context = await contextBlock(ctx, intention.context_sources);
    const text = context ? `${context}\n\n${intention.prompt}` : intention.prompt;
    let answer = '';
    let error = '';
    const sink: TurnSink = {
      started: () => undefined,
      text: (delta) => void (answer += delta),
      message: (content) => void (answer += (answer ? '\n\n' : '') + content),
      event: (e) => {
        if (e.type === 'error') error = e.message;
      },
      end: (info) => {
        if (info.failed && !error) error = answer || 'The run failed';
      },
    };
    await ctx.chat.runTurn({ baseKey: `system:intention:${intention.id}`, text, metadata: { source: 'intention', ...base } }, sink);
    if (answer) {
      broadcast({ type: 'message', content: answer, is_stream_chunk: false, metadata: { ...base }, intention_id: intention.id, notice: 'intention' });
      ctx.notify?.(`${intention.name}:\n${answer}`);
    }
    if (error) broadcast({ type: 'intention_error', ...base, error, timestamp: nowIso() });
    else broadcast({ type: 'intention_completed', ...base, timestamp: nowIso() });
  };
}
