import type { RecordedRequest } from '../helpers/fake-llm/index.js';
import type { TestSocket, WsFrame } from '../helpers/ws-client.js';

/** The system prompt an OpenAI-protocol request carried. */
export function systemPrompt(req: RecordedRequest): string {
  const first = req.body.messages[0];
  return first?.role === 'system' ? String(first.content) : '';
}

/** Every tool result the model was sent, as text. */
export function toolResults(req: RecordedRequest): string[] {
  return (req.body.messages as { role: string; content: unknown }[])
    .filter((m) => m.role === 'tool')
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
}

/** The last user message the model was sent. */
export function lastUserText(req: RecordedRequest): string {
  const users = (req.body.messages as { role: string; content: unknown }[]).filter((m) => m.role === 'user');
  const c = users.at(-1)?.content;
  return typeof c === 'string' ? c : JSON.stringify(c);
}

/** Frames of PocketPaw's protocol: without our live session events and audit entries. */
export function protocolFrames(frames: WsFrame[]): WsFrame[] {
  return frames.filter((f) => f.type !== 'session_updated' && f.type !== 'session_deleted'
    && !(f.type === 'system_event' && f.event_type === 'audit_entry'));
}

/** Sends a chat message and returns the frames of that turn. */
export async function chatTurn(sock: TestSocket, message: string): Promise<WsFrame[]> {
  const from = sock.frames.length;
  sock.send({ action: 'chat', message });
  return sock.turn(from);
}

export function toolResultEvents(frames: WsFrame[]): { name: string; result: string; status: string }[] {
  return frames.filter((f) => f.type === 'system_event' && f.event_type === 'tool_result').map((f) => f.data);
}
