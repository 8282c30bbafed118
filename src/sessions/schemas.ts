import { z } from 'zod';
import { parseChatModel } from '../models/chat-model.js';
import { InvalidInputError } from '../lib/errors.js';
import { codePointLength } from '../lib/text.js';
import type { ExportFormat } from './export.js';
import type { SessionRecord } from './types.js';

/** A `limit` must be an integer (spec §11.6); legacy routes then clamp it, v1 routes bound it. */
export const legacyLimit = (fallback: number) =>
  z.coerce.number({ error: 'Input should be a valid integer' }).int('Input should be a valid integer').default(fallback)
    .describe('Legacy: below 1 gives an empty result, above 500 is read as 500');

export const v1Limit = (fallback: number, max: number) =>
  z.coerce.number({ error: 'Input should be a valid integer' }).int('Input should be a valid integer')
    .min(1, 'Input should be greater than or equal to 1')
    .max(max, `Input should be less than or equal to ${max}`)
    .default(fallback);

export function clampLegacy(limit: number): number {
  return limit < 1 ? 0 : Math.min(limit, 500);
}

export const sessionIdParams = z.object({
  id: z.string().describe('Session id (`websocket_<uuid>`) or its colon form (`websocket:<uuid>`)'),
});

export const listQuery = <L extends z.ZodType<number, unknown>>(limit: L) =>
  z.object({
    limit,
    before: z.string().optional().describe('Cursor: only sessions whose last_activity is earlier than this'),
    before_id: z.string().optional().describe('With `before`: the id of the last session of the previous page, so sessions with the same last_activity are not skipped'),
  });

export const searchQuery = <L extends z.ZodType<number, unknown>>(limit: L) => z.object({ q: z.string().default(''), limit });

export const exportQuery = z.object({ format: z.string().default('json') });

export { TITLE_MAX } from '../protocol/sessions.js';
import { TITLE_MAX, type SessionSummary, type V1SessionSummary } from '../protocol/sessions.js';

/** The legacy rename rules (spec §3.1, the seed page), also the CLI's: trimmed, 1–200 characters. */
export function legacyTitle(raw: unknown): string {
  const title = typeof raw === 'string' ? raw.trim() : '';
  if (!title) throw new InvalidInputError('Title is required');
  if (codePointLength(title) > TITLE_MAX) throw new InvalidInputError(`Title must be at most ${TITLE_MAX} characters`);
  return title;
}

export function exportFormat(format: string): ExportFormat {
  if (format !== 'json' && format !== 'md') throw new InvalidInputError("Format must be 'json' or 'md'");
  return format;
}

export const v1RenameBody = z.object({
  title: z.string({ error: 'Input should be a valid string' })
    .min(1, 'String should have at least 1 character')
    .max(TITLE_MAX, `String should have at most ${TITLE_MAX} characters`),
});

/** Legacy shape: the id plus every index field (spec §3.1), `user_title` only when renamed. */
export function legacySummary(s: SessionRecord): SessionSummary {
  const out: SessionSummary = {
    id: s.id, title: s.title, channel: s.channel, created: s.created,
    last_activity: s.last_activity, message_count: s.message_count, preview: s.preview,
  };
  if (s.user_title !== null) out.user_title = s.user_title;
  if (s.model) out.model = s.model;
  return out;
}

/** Versioned shape: exactly these five fields. */
export function v1Summary(s: SessionRecord): V1SessionSummary {
  return { id: s.id, title: s.title || 'Untitled', channel: s.channel || 'unknown', last_activity: s.last_activity || '', message_count: s.message_count ?? 0 };
}

/** `POST /api/v1/sessions/{id}/branch` (spec §4.7). */
export const branchBody = z.object({ message_id: z.string().min(1).max(200) });

/** `POST /api/v1/sessions/{id}/model` (spec §4.7): `<provider>:<model id>`, or null for the default. */
export const modelBody = z.object({
  model: z.string().max(300).refine((v) => parseChatModel(v) !== null, {
    message: 'model must be "<provider>:<model id>" (provider: anthropic, openai, ollama or openai_compatible), or null for the default',
  }).nullable(),
});
