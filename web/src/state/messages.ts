/**
 * Pure changes to one chat message as a turn's frames arrive, and the stored history turned
 * into messages. No state here: the turn machine (turn.ts) decides which message they apply to.
 */
import type { HistoryMessage, MessageVersions, ToolStep } from '@protocol';
import type { ChatMessage, Part, ToolPart } from './stores';
import { stripAttachedHint } from './attachments';

/** PocketPaw's marker on a stored answer that was stopped. */
const INTERRUPTED = '\n\n[Response interrupted]';

export function fromHistory(history: HistoryMessage[], nextKey: () => number): ChatMessage[] {
  return history.map((m) => fromStored(m, nextKey));
}

/**
 * One stored message. An answer shows what the agent did before its text: the reasoning (a
 * closed disclosure), then the tool steps, then the text; a failed one keeps its partial text
 * and shows the error beside it.
 */
export function fromStored(m: HistoryMessage, nextKey: () => number): ChatMessage {
  const role = m.role === 'assistant' ? 'assistant' : 'user';
  let content = typeof m.content === 'string' ? m.content : '';
  if (role === 'user' && m.attachments?.length) content = stripAttachedHint(content); // shown as chips instead
  let status: ChatMessage['status'] = 'done';
  if (role === 'assistant' && content.endsWith(INTERRUPTED)) {
    content = content.slice(0, -INTERRUPTED.length);
    status = 'stopped';
  } else if (role === 'assistant' && content === '[Response interrupted]') {
    content = '';
    status = 'stopped';
  }
  if (role === 'assistant' && m.interrupted === true) status = 'stopped';
  const parts: Part[] = [];
  if (role === 'assistant') {
    if (typeof m.reasoning === 'string' && m.reasoning.trim()) parts.push({ type: 'thinking', text: m.reasoning, done: true });
    for (const s of Array.isArray(m.steps) ? m.steps : []) parts.push(stepPart(s, nextKey()));
  }
  if (content) parts.push({ type: 'text', text: content });
  const msg: ChatMessage = { key: nextKey(), role, parts, status };
  if (typeof m.id === 'string' && m.id) msg.id = m.id;
  if (m.versions && m.versions.count > 1) msg.versions = m.versions;
  if (role === 'user' && m.attachments?.length) msg.attachments = m.attachments;
  if (role === 'assistant' && typeof m.error === 'string' && m.error) {
    msg.error = m.error;
    msg.status = 'error';
  }
  return msg;
}

function stepPart(s: ToolStep, id: number): ToolPart {
  const part: ToolPart = {
    type: 'tool',
    id,
    name: typeof s.name === 'string' && s.name ? s.name : 'tool',
    params: s.params,
    result: typeof s.result === 'string' ? s.result : JSON.stringify(s.result ?? ''),
    status: s.status === 'error' ? 'error' : 'success',
  };
  if (typeof s.server === 'string' && s.server) part.server = s.server;
  if (typeof s.duration_ms === 'number' && s.duration_ms >= 0) part.durationMs = s.duration_ms;
  return part;
}

/** The text of a message, as the owner would copy it. */
export function textOf(m: ChatMessage): string {
  return m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** The versions of a message after a new sibling `id` joined them (regenerate, edit); `replaced` left them. */
export function withNewVersion(old: MessageVersions | undefined, oldId: string | undefined, id: string, replaced = false): MessageVersions | undefined {
  let ids = old?.ids.length ? [...old.ids] : oldId ? [oldId] : [];
  if (replaced && oldId) ids = ids.filter((x) => x !== oldId);
  if (!ids.includes(id)) ids.push(id);
  return ids.length > 1 ? { index: ids.indexOf(id) + 1, count: ids.length, ids } : undefined;
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
  return { ...m, parts: [...m.parts, { type: 'tool', id, name, params, status: 'running', startedMs: Date.now(), ...(server ? { server } : {}) }] };
}

/** The result goes to the latest running step of that tool. */
export function withToolResult(m: ChatMessage, name: string, result: string, status: ToolPart['status']): ChatMessage {
  const parts = [...m.parts];
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (p.type === 'tool' && p.name === name && p.status === 'running') {
      parts[i] = { ...p, result, status, ...(p.startedMs ? { durationMs: Date.now() - p.startedMs } : {}) };
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
