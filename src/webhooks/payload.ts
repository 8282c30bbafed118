import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { pythonJsonDumps } from './py-json.js';

/** Spec §4.7's limit for the files of one message applies to a webhook's URLs too. */
export const MAX_MEDIA_URLS = 10;
const MAX_SENDER_LENGTH = 200;

/**
 * The fields of an inbound body that mean something (spec §3.12); any other key is kept in the
 * text the agent gets when `content` is absent. `null` counts as absent, as in PocketPaw.
 */
const inboundBody = z.looseObject({
  content: z.string({ error: '"content" must be a string' }).nullish(),
  sender: z.string({ error: '"sender" must be a string' }).max(MAX_SENDER_LENGTH, `"sender" must be at most ${MAX_SENDER_LENGTH} characters`).nullish(),
  metadata: z.record(z.string(), z.unknown(), { error: '"metadata" must be a JSON object' }).nullish(),
  media_urls: z.array(z.string({ error: '"media_urls" must be a list of URL strings' }), { error: '"media_urls" must be a list of URL strings' })
    .max(MAX_MEDIA_URLS, `"media_urls" may name at most ${MAX_MEDIA_URLS} files`).nullish(),
});

export interface InboundMessage {
  text: string;
  sender: string;
  metadata: Record<string, unknown>;
  mediaUrls: string[];
}

/** The raw bytes as a JSON object, or the 400 saying what is wrong. Called only after the caller proved the secret. */
export function parseInbound(raw: Buffer, webhookName: string): InboundMessage {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Invalid JSON body');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'The webhook body must be a JSON object, e.g. {"content": "…"}');
  }
  const parsed = inboundBody.safeParse(body);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]!.message);
  const { content, sender, metadata, media_urls: mediaUrls } = parsed.data;
  // Ours: PocketPaw runs the agent on an empty message; a caller is better told.
  if (content !== null && content !== undefined && !content.trim() && !mediaUrls?.length) {
    throw new HttpError(400, '"content" is empty: send the text in "content", or leave "content" out to send the whole body');
  }
  const { webhook_name: _name, source: _source, ...extra } = metadata ?? {};
  return {
    // No `content`: the whole body, as PocketPaw's `json.dumps(body)` writes it.
    text: content ?? pythonJsonDumps(body),
    sender: sender ?? `webhook:${webhookName}`,
    // PocketPaw's order; ours: the caller's metadata cannot pass itself off as another webhook or source.
    metadata: { webhook_name: webhookName, source: 'webhook', ...extra },
    mediaUrls: mediaUrls ?? [],
  };
}
