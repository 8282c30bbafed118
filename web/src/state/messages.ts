/**
 * Pure changes to one chat message as a turn's frames arrive, and the stored history turned
 * into messages. No state here: the turn machine (turn.ts) decides which message they apply to.
 */
import type { HistoryMessage } from '@protocol';
import type { ChatMessage, ToolPart } from './stores';

/** PocketPaw's marker on a stored answer that was stopped. */
const INTERRUPTED = '\n\n[Response interrupted]';

export function fromHistory(history: HistoryMessage[], nextKey: () => number): ChatMessage[] {
  return history.map((m) => {
    let content = m.content;
    let status: ChatMessage['status'] = 'done';
    if (m.role === 'assistant' && content.endsWith(INTERRUPTED)) {
      content = content.slice(0, -INTERRUPTED.length);
      status = 'stopped';
    } else if (m.role === 'assistant' && content === '[Response interrupted]') {
      content = '';
      status = 'stopped';
    }
    return { key: nextKey(), role: m.role === 'assistant' ? 'assistant' : 'user', parts: content ? [{ type: 'text', text: content }] : [], status };
  });
}

/** Streamed text joins the text part it follows, or starts one after a tool step. */
export function withText(m: ChatMessage, text: string): ChatMessage {
  const parts = [...m.parts];
  const last = parts[parts.length - 1];
  if (last?.type === 'text') parts[parts.length - 1] = { type: 'text', text: last.text + text };
  else parts.push({ type: 'text', text });
  return { ...m, parts };
}

export function withToolStarted(m: ChatMessage, id: number, name: string, params: unknown, server?: string): ChatMessage {
  return { ...m, parts: [...m.parts, { type: 'tool', id, name, params, status: 'running', ...(server ? { server } : {}) }] };
}

/** The result goes to the latest running step of that tool. */
export function withToolResult(m: ChatMessage, name: string, result: string, status: ToolPart['status']): ChatMessage {
  const parts = [...m.parts];
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (p.type === 'tool' && p.name === name && p.status === 'running') {
      parts[i] = { ...p, result, status };
      break;
    }
  }
  return { ...m, parts };
}

export function withThinking(m: ChatMessage, text: string): ChatMessage {
  const parts = [...m.parts];
  const last = parts[parts.length - 1];
  if (last?.type === 'thinking' && !last.done) parts[parts.length - 1] = { ...last, text: last.text + text };
  else parts.push({ type: 'thinking', text, done: false });
  return { ...m, parts };
}

export function withThinkingDone(m: ChatMessage): ChatMessage {
  return { ...m, parts: m.parts.map((p) => (p.type === 'thinking' ? { ...p, done: true } : p)) };
}

/** The end of a turn: its status, and no step left spinning. */
export function finished(m: ChatMessage, stopped: boolean): ChatMessage {
  return {
    ...m,
    status: stopped ? 'stopped' : m.error || m.kind === 'failure' ? 'error' : 'done',
    parts: m.parts.map((p) => (p.type === 'tool' && p.status === 'running' ? { ...p, status: 'success' as const } : p.type === 'thinking' ? { ...p, done: true } : p)),
  };
}
