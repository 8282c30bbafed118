import type { AgentEvent } from '../chat/agent-events.js';
import type { TurnEnd, TurnSink } from '../chat/turn-sink.js';
import type { MessageFrame, NoticeKind, ServerFrame, SystemEvent } from '../protocol/index.js';
import type { WsHub } from './hub.js';

const chunk = (content: string, streamed: boolean, notice?: NoticeKind): MessageFrame =>
  ({ type: 'message', content, is_stream_chunk: streamed, metadata: {}, ...(notice ? { notice } : {}) });

/**
 * Renders a turn as PocketPaw's dashboard frames (spec §4.2). `chatId()` is read at send time,
 * so frames follow the chat to whichever socket holds it now.
 */
export function wsTurnSink(hub: WsHub, chatId: () => string): TurnSink {
  const toChat = (frame: ServerFrame) => hub.sendToChat(chatId(), frame);
  const system = (event: SystemEvent) => hub.broadcast({ type: 'system_event', ...event });
  return {
    started(sessionKey) {
      system({ event_type: 'thinking', data: { session_key: sessionKey } });
    },
    text(delta) {
      toChat(chunk(delta, true));
    },
    message(content, notice) {
      toChat(chunk(content, false, notice));
    },
    event(e: AgentEvent, sessionKey) {
      switch (e.type) {
        case 'thinking': return system({ event_type: 'thinking', data: { content: e.delta, session_key: sessionKey } });
        case 'thinking_done': return system({ event_type: 'thinking_done', data: { session_key: sessionKey } });
        case 'usage': return system({ event_type: 'token_usage', data: { input_tokens: e.input_tokens, output_tokens: e.output_tokens, total_tokens: e.total_tokens } });
        case 'tool_start': return system({ event_type: 'tool_start', data: { name: e.name, params: e.params, ...(e.server ? { server: e.server } : {}) } });
        case 'tool_result': return system({ event_type: 'tool_result', data: { name: e.name, result: e.result, status: e.status, ...(e.server ? { server: e.server } : {}) } });
        case 'error':
          system({ event_type: 'tool_result', data: { name: 'agent', result: e.message, status: 'error' } });
          return toChat(chunk(e.message, true));
        case 'text': return toChat(chunk(e.delta, true));
        case 'blocked': return system({ event_type: 'error', data: { message: e.message, patterns: e.patterns } });
      }
    },
    end(info: TurnEnd) {
      toChat({
        type: 'stream_end',
        ...(info.sessionId ? { session_id: info.sessionId } : {}),
        ...(info.userMessageId ? { user_message_id: info.userMessageId } : {}),
        ...(info.messageId ? { message_id: info.messageId } : {}),
      });
    },
  };
}
