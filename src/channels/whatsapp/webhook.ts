import { z } from 'zod';
import { downloadLimited, FileTooLargeError, mayCarryToken, skippedFileNote } from '../download.js';
import type { InboundFile, InboundMessage } from '../types.js';
import type { GraphClient } from './graph.js';

/** The parts of a Cloud API webhook (`entry[].changes[].value`) we read; the rest is ignored. */
const Media = z.object({ id: z.string(), mime_type: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() });

export const WaMessage = z.object({
  from: z.string(),
  id: z.string(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  image: Media.optional(),
  document: Media.optional(),
  audio: Media.optional(),
  video: Media.optional(),
  sticker: Media.optional(),
  button: z.object({ text: z.string() }).optional(),
  interactive: z.object({
    button_reply: z.object({ title: z.string() }).optional(),
    list_reply: z.object({ title: z.string() }).optional(),
  }).optional(),
});
export type WaMessage = z.infer<typeof WaMessage>;

export const WebhookPayload = z.object({
  object: z.string().optional(),
  entry: z.array(z.object({
    changes: z.array(z.object({
      field: z.string().optional(),
      value: z.object({
        metadata: z.object({ phone_number_id: z.string().optional() }).optional(),
        contacts: z.array(z.object({ wa_id: z.string().optional(), profile: z.object({ name: z.string().optional() }).optional() })).optional(),
        // Each message parsed on its own: one odd message must not hide the others.
        messages: z.array(z.unknown()).optional(),
      }),
    })).default([]),
  })).default([]),
});

/** One message of a webhook, with what came with it. */
export interface WebhookItem {
  message: WaMessage;
  senderName?: string;
}

/** The messages of a payload addressed to our phone number (a Meta app may have several). */
export function messagesFor(payload: z.infer<typeof WebhookPayload>, phoneNumberId: string): WebhookItem[] {
  const out: WebhookItem[] = [];
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      const v = change.value;
      if (v.metadata?.phone_number_id && v.metadata.phone_number_id !== phoneNumberId) continue;
      for (const raw of v.messages ?? []) {
        const m = WaMessage.safeParse(raw);
        if (!m.success) continue;
        const name = v.contacts?.find((c) => c.wa_id === m.data.from)?.profile?.name;
        out.push({ message: m.data, ...(name ? { senderName: name } : {}) });
      }
    }
  }
  return out;
}

const MEDIA_TYPES = ['image', 'document', 'audio', 'video', 'sticker'] as const;
/** Reactions and system notices (a number changed) are not something to answer. */
const IGNORED_TYPES = new Set(['reaction', 'system']);
/** Graph's media URLs live on Meta's CDN hosts. */
const META_FILE_HOSTS = ['fbsbx.com', 'facebook.com', 'whatsapp.net', 'fbcdn.net'];

const MediaInfo = z.object({ url: z.string(), mime_type: z.string().optional(), file_size: z.coerce.number().optional() });

export interface ToInboundDeps {
  graph: GraphClient;
  apiBase: string;
  maxFileBytes: number;
  downloadTimeoutMs: number;
  log(message: string): void;
}

function extension(mime: string | undefined): string {
  const sub = mime?.split('/')[1]?.split(';')[0]?.trim();
  if (!sub) return '';
  return `.${sub === 'jpeg' ? 'jpg' : sub.replace(/^x-/, '').replace(/[^a-z0-9]/gi, '')}`;
}

/** Media arrives as an id: Graph gives its URL, which is downloaded with the token. */
async function download(id: string, name: string, deps: ToInboundDeps): Promise<InboundFile | string> {
  const limitNote = skippedFileNote(name, `larger than the ${Math.round(deps.maxFileBytes / 1048576)} MB limit`);
  const info = MediaInfo.parse(await deps.graph.get(encodeURIComponent(id)));
  if (info.file_size !== undefined && info.file_size > deps.maxFileBytes) return limitNote;
  if (!mayCarryToken(info.url, deps.apiBase, META_FILE_HOSTS)) throw new Error('media URL is not on a Meta host');
  try {
    const data = await downloadLimited(info.url, { headers: deps.graph.authHeader, maxBytes: deps.maxFileBytes, timeoutMs: deps.downloadTimeoutMs });
    return { name, ...(info.mime_type ? { mime: info.mime_type } : {}), data };
  } catch (err) {
    if (err instanceof FileTooLargeError) return limitNote;
    throw err;
  }
}

/** A webhook message as the channel layer's message; null for what is not answered. */
export async function toInbound(item: WebhookItem, deps: ToInboundDeps): Promise<InboundMessage | null> {
  const m = item.message;
  if (IGNORED_TYPES.has(m.type)) return null;
  const base = { chatId: m.from, senderId: m.from, ...(item.senderName ? { senderName: item.senderName } : {}) };
  if (m.type === 'text') return m.text?.body.trim() ? { ...base, text: m.text.body } : null;
  // Taps on buttons and list items arrive as their own types; the title is what the user chose.
  const choice = m.button?.text ?? m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title;
  if (choice) return { ...base, text: choice };
  const kind = MEDIA_TYPES.find((t) => t === m.type);
  const media = kind ? m[kind] : undefined;
  if (!kind || !media) return { ...base, text: `[${m.type} message received]` };
  const name = media.filename ?? `${kind}${extension(media.mime_type)}`;
  let text = media.caption ?? '';
  const files: InboundFile[] = [];
  try {
    const got = await download(media.id, name, deps);
    if (typeof got === 'string') text = `${text}\n${got}`.trim();
    else files.push(got);
  } catch (err) {
    deps.log(`could not download ${kind} ${media.id}: ${(err as Error).message}`);
  }
  if (!text && files.length === 0) text = `[${kind} received]`;
  return { ...base, text, ...(files.length ? { files } : {}) };
}
