import type { NoticeKind } from '../protocol/index.js';
import type { AgentEvent } from './agent-events.js';

export interface TurnEnd {
  usage: { input_tokens: number; output_tokens: number; total_tokens: number } | null;
  interrupted: boolean;
  failed: boolean;
  /** The session the turn wrote to and the stored ids of its messages (spec §4.7), when stored. */
  sessionId?: string;
  userMessageId?: string;
  messageId?: string;
}

/**
 * Where a turn's output goes. The chat service calls these in order; each transport
 * (WebSocket, SSE, blocking REST, CLI) renders them in its own protocol. Everything passed
 * here is already redacted.
 */
export interface TurnSink {
  /** The user message is stored and the agent is about to run (spec §4.2 step 4). */
  started(sessionKey: string): void;
  /** A streamed piece of the answer. */
  text(delta: string): void;
  /** A whole message that is not part of the answer stream (a command reply, the no-model hint, a failure), and which it is. */
  message(content: string, notice: NoticeKind): void;
  /** Thinking, tool use, usage, errors. */
  event(e: AgentEvent, sessionKey: string): void;
  end(info: TurnEnd): void;
}
