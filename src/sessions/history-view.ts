import { INTERRUPTED_MARKER, type AttachmentInfo, type HistoryMessage, type MessageVersions, type ToolStep } from '../protocol/sessions.js';
import type { MessageRecord } from './types.js';

const isString = (v: unknown): v is string => typeof v === 'string';

function steps(value: unknown): ToolStep[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = value.filter((s): s is ToolStep => !!s && typeof s === 'object' && isString((s as ToolStep).name));
  return out.length ? out : undefined;
}

function attachments(value: unknown): AttachmentInfo[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = value
    .filter((a): a is AttachmentInfo => !!a && typeof a === 'object' && isString((a as AttachmentInfo).id) && isString((a as AttachmentInfo).name))
    .map((a) => ({ id: a.id, name: a.name, mime_type: isString(a.mime_type) ? a.mime_type : 'application/octet-stream', size: Number(a.size) || 0 }));
  return out.length ? out : undefined;
}

/**
 * A stored message as the v1 history and `session_history` show it (spec §4.7): PocketPaw's
 * `role` and `content`, plus what we keep in the metadata. Assistant fields are read only from
 * assistant messages and attachments only from user messages: a user message's metadata holds
 * the client's own frame, so it could claim anything.
 */
export function toHistoryMessage(m: MessageRecord, versions: MessageVersions | undefined): HistoryMessage {
  const out: HistoryMessage = { role: m.role || 'user', content: m.content, id: m.id, timestamp: m.timestamp };
  if (versions) out.versions = versions;
  const meta = m.metadata;
  if (m.role === 'assistant') {
    const s = steps(meta.steps);
    if (s) out.steps = s;
    if (isString(meta.reasoning) && meta.reasoning) out.reasoning = meta.reasoning;
    if (isString(meta.error)) {
      out.error = meta.error;
      // Rows written before the tree (and PocketPaw's) carry the note in the content: show the answer part.
      if (typeof meta.answer_chars === 'number') out.content = m.content.slice(0, meta.answer_chars);
    }
    if (meta.interrupted === true || (!isString(meta.error) && m.content.endsWith(INTERRUPTED_MARKER))) out.interrupted = true;
    if (isString(meta.model)) out.model = meta.model;
  } else if (m.role === 'user') {
    const a = attachments(meta.attachments);
    if (a) out.attachments = a;
  }
  return out;
}
