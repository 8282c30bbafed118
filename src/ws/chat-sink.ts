import type { AgentEvent } from '../chat/agent-events.js';
import type { TurnEnd, TurnSink } from '../chat/turn-sink.js';
import type { WsHub } from './hub.js';

const chunk = (content: string, streamed: boolean) => ({ type: 'message', content, is_stream_chunk: streamed, metadata: {} });

/**
 * Renders a turn as PocketPaw's dashboard frames (spec §4.2). `chatId()` is read at send time,
 * so frames follow the chat to whichever socket holds it now.
 */
export function wsTurnSink(hub: WsHub, chatId: () => string): TurnSink {
  const toChat = (frame: Record<string, unknown> & { type: string }) => hub.sendToChat(chatId(), frame);
  const system = (event_type: string, data: Record<string, unknown>) => hub.broadcast({ type: 'system_event', event_type, data });
  return {
    started(sessionKey) {
      system('thinking', { session_key: sessionKey });
    },
    text(delta) {
      toChat(chunk(delta, true));
    },
    message(content) {
      toChat(chunk(content, false));
    },
    event(e: AgentEvent, sessionKey) {
      switch (e.type) {
        case 'thinking': return system('thinking', { content: e.delta, session_key: sessionKey });
        case 'thinking_done': return system('thinking_done', { session_key: sessionKey });
        case 'usage': return system('token_usage', { input_tokens: e.input_tokens, output_tokens: e.output_tokens, total_tokens: e.total_tokens });
        case 'tool_start': return system('tool_start', { name: e.name, params: e.params });
        case 'tool_result': return system('tool_result', { name: e.name, result: e.result, status: e.status });
        case 'error':
          system('tool_result', { name: 'agent', result: e.message, status: 'error' });
          return toChat(chunk(e.message, true));
        case 'text': return toChat(chunk(e.delta, true));
        case 'blocked': return system('error', { message: e.message, patterns: e.patterns });
      }
    },
    end(_info: TurnEnd) {
      toChat({ type: 'stream_end' });
    },
  };
}
