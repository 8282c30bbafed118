import { formatUtc } from '../lib/time.js';
import type { MessageRecord } from './types.js';

export type ExportFormat = 'json' | 'md';

export interface ExportFile {
  body: string;
  contentType: string;
  filename: string;
}

/**
 * Spec §3.1.3. `requestedId` is echoed as given, in the document and, like PocketPaw
 * (`id[:20]`), in the file name: `websocket:abc…` exports as `pocketpaw-session-websocket:abc….json`.
 * Only characters a quoted header value cannot carry (quote, backslash, controls, non-ASCII)
 * become `_`.
 */
export function exportSession(requestedId: string, messages: MessageRecord[], format: ExportFormat, now = new Date()): ExportFile {
  const stem = [...requestedId].slice(0, 20).join('').replace(/[^\x20-\x7e]|["\\]/g, '_');
  const filename = `pocketpaw-session-${stem}.${format}`;
  if (format === 'json') {
    const doc = {
      export_version: '1.0',
      exported_at: formatUtc(now.getTime(), 0),
      session_id: requestedId,
      message_count: messages.length,
      messages: messages.map((m) => ({
        id: m.id,
        role: m.role || 'user',
        content: m.content,
        timestamp: m.timestamp,
        metadata: m.metadata,
      })),
    };
    return { body: JSON.stringify(doc, null, 2), contentType: 'application/json; charset=utf-8', filename };
  }
  const lines = [
    '# Conversation Export',
    `**Session**: \`${requestedId}\` | **Messages**: ${messages.length} | **Exported**: ${utcMinute(now)}`,
    '',
    '---',
  ];
  for (const m of messages) {
    const role = m.role || 'user';
    lines.push('', `**${role.charAt(0).toUpperCase()}${role.slice(1)}** (${localClock(m.timestamp)}):`, m.content);
    lines.push(...whatTheAgentDid(m), '', '---');
  }
  return { body: lines.join('\n'), contentType: 'text/markdown; charset=utf-8', filename };
}

/** Tool steps and a failure, under the answer (ours, spec §4.7): what a reader of the file needs to trust it. */
function whatTheAgentDid(m: MessageRecord): string[] {
  if (m.role !== 'assistant') return [];
  const out: string[] = [];
  const steps = Array.isArray(m.metadata.steps) ? m.metadata.steps as { name?: unknown; status?: unknown; duration_ms?: unknown }[] : [];
  if (steps.length) {
    out.push('', '_Tools used:_');
    for (const s of steps) {
      const ms = typeof s.duration_ms === 'number' ? `, ${s.duration_ms} ms` : '';
      out.push(`- \`${String(s.name)}\` (${s.status === 'error' ? 'failed' : 'ok'}${ms})`);
    }
  }
  if (typeof m.metadata.error === 'string') out.push('', `_This answer failed: ${m.metadata.error}_`);
  return out;
}

function utcMinute(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** HH:MM in the machine's local time, as PocketPaw shows its (local) message timestamps. */
function localClock(timestamp: string): string {
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return '';
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
