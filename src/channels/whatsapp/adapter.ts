import { z } from 'zod';
import type { AdapterContext, ChannelAdapter, ChannelLimits, CreateAdapter, InboundMessage, OutboundFile, SentMessage } from '../types.js';
import { toWhatsApp } from './format.js';
import { GRAPH_TUNING, GraphClient, GraphError, type GraphTuning } from './graph.js';
import { messagesFor, toInbound, WebhookPayload } from './webhook.js';

/**
 * WhatsApp cannot edit a sent message, so the channel layer sends each answer once, whole
 * (`editIntervalMs` is then unused). A text body holds at most 4,096 characters.
 */
export const WHATSAPP_LIMITS: ChannelLimits = { maxChars: 4096, canEdit: false, editIntervalMs: 0 };

/** An adapter the HTTP webhook feeds: Meta pushes messages to us instead of us pulling them. */
export interface WebhookReceiver {
  /** Takes a payload whose signature was checked; false when the adapter is not running. */
  receive(payload: unknown): boolean;
}

export function hasWebhookReceiver(adapter: unknown): adapter is WebhookReceiver {
  return typeof (adapter as Partial<WebhookReceiver> | null)?.receive === 'function';
}

const SendResult = z.object({ messages: z.array(z.object({ id: z.string() })).min(1) });
const UploadResult = z.object({ id: z.string() });

/** Meta retries a webhook it thinks failed; message ids seen lately are not answered twice. */
const SEEN_IDS = 1000;
/** Cloud API media limits: images up to 5 MB; anything else goes as a document (100 MB). */
const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
const SENDABLE: Record<string, 'image' | 'audio' | 'video'> = {
  'image/jpeg': 'image', 'image/png': 'image',
  'audio/aac': 'audio', 'audio/amr': 'audio', 'audio/mpeg': 'audio', 'audio/mp4': 'audio', 'audio/ogg': 'audio',
  'video/mp4': 'video', 'video/3gpp': 'video',
};

const digits = (v: string) => v.replace(/\D/g, '');

/** A start failure the owner can act on. */
function startError(err: unknown): Error {
  if (err instanceof GraphError && [400, 401, 403, 404].includes(err.status)) {
    return new Error(`WhatsApp rejected the access token or phone number id — check whatsapp_access_token / whatsapp_phone_number_id (${err.message})`);
  }
  return new Error(`Could not reach the WhatsApp Cloud API: ${(err as Error)?.message ?? String(err)}`);
}

export class WhatsAppAdapter implements ChannelAdapter, WebhookReceiver {
  readonly limits = WHATSAPP_LIMITS;
  private graph: GraphClient | null = null;
  private abort: AbortController | null = null;
  private onMessage: ((message: InboundMessage) => void) | null = null;
  /** Webhook messages are handled one after another, in the order Meta sent them. */
  private chain: Promise<void> = Promise.resolve();
  private readonly seen = new Set<string>();
  /** Each chat's latest message id: the typing indicator is attached to it. */
  private readonly lastMessage = new Map<string, string>();

  constructor(private readonly ctx: AdapterContext, private readonly tuning: GraphTuning = GRAPH_TUNING) {}

  private get phoneNumberId(): string {
    return encodeURIComponent(this.ctx.settings.whatsapp_phone_number_id);
  }

  async start(onMessage: (message: InboundMessage) => void): Promise<void> {
    if (this.graph) throw new Error('WhatsApp is already running');
    const s = this.ctx.settings;
    const abort = new AbortController();
    const graph = new GraphClient(s.whatsapp_api_base_url, s.whatsapp_access_token, this.tuning, abort.signal);
    try {
      // Proves the token and the phone number id before the owner waits for messages that
      // could never be answered.
      await graph.get(`${this.phoneNumberId}?fields=display_phone_number,verified_name`);
    } catch (err) {
      abort.abort();
      throw startError(err);
    }
    this.abort = abort;
    this.graph = graph;
    this.onMessage = onMessage;
  }

  async stop(): Promise<void> {
    this.abort?.abort(new Error('WhatsApp is not running'));
    this.abort = null;
    this.graph = null;
    this.onMessage = null;
    this.lastMessage.clear();
  }

  receive(payload: unknown): boolean {
    const graph = this.graph;
    const deliver = this.onMessage;
    if (!graph || !deliver) return false;
    const parsed = WebhookPayload.safeParse(payload);
    if (!parsed.success) {
      this.ctx.log('ignored a webhook call that is not a WhatsApp payload');
      return true;
    }
    for (const item of messagesFor(parsed.data, this.ctx.settings.whatsapp_phone_number_id)) {
      if (this.seen.has(item.message.id)) continue;
      this.seen.add(item.message.id);
      if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value as string);
      this.chain = this.chain.then(async () => {
        const message = await toInbound(item, {
          graph, apiBase: this.ctx.settings.whatsapp_api_base_url, maxFileBytes: this.ctx.maxFileBytes,
          downloadTimeoutMs: this.tuning.downloadTimeoutMs, log: this.ctx.log,
        });
        // Stopped (or restarted) while the media downloaded: that run no longer answers.
        if (!message || this.graph !== graph) return;
        this.lastMessage.set(message.chatId, item.message.id);
        deliver(message);
      }).catch((err: unknown) => this.ctx.log(`could not read a message: ${(err as Error).message}`));
    }
    return true;
  }

  private client(): GraphClient {
    if (!this.graph) throw new Error('WhatsApp is not running');
    return this.graph;
  }

  async send(chatId: string, text: string): Promise<SentMessage> {
    const res = await this.client().postJson(`${this.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp', recipient_type: 'individual', to: digits(chatId),
      type: 'text', text: { body: toWhatsApp(text), preview_url: false },
    });
    return { chatId, messageId: SendResult.parse(res).messages[0]!.id };
  }

  async edit(): Promise<void> {
    throw new Error('WhatsApp cannot edit a sent message');
  }

  async sendFile(chatId: string, file: OutboundFile): Promise<SentMessage> {
    const graph = this.client();
    const uploaded = UploadResult.parse(await graph.postForm(`${this.phoneNumberId}/media`, () => {
      const form = new FormData();
      form.append('messaging_product', 'whatsapp');
      form.append('type', file.mime);
      form.append('file', new Blob([new Uint8Array(file.data)], { type: file.mime }), file.name);
      return form;
    }));
    let kind: 'image' | 'audio' | 'video' | 'document' = SENDABLE[file.mime] ?? 'document';
    if (kind === 'image' && file.data.byteLength > IMAGE_MAX_BYTES) kind = 'document';
    const res = await graph.postJson(`${this.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp', recipient_type: 'individual', to: digits(chatId),
      type: kind, [kind]: kind === 'document' ? { id: uploaded.id, filename: file.name } : { id: uploaded.id },
    });
    return { chatId, messageId: SendResult.parse(res).messages[0]!.id };
  }

  /**
   * Marks the user's message read and shows "typing…" (the Cloud API ties both to a received
   * message; the indicator lasts until the answer, at most 25 s). Only the channel layer calls
   * this, after the allow list passed, so a stranger's message is never marked read.
   */
  async typing(chatId: string): Promise<void> {
    const messageId = this.lastMessage.get(chatId);
    if (!messageId) return;
    await this.client().postJson(`${this.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp', status: 'read', message_id: messageId, typing_indicator: { type: 'text' },
    });
  }
}

export function buildWhatsAppAdapter(ctx: AdapterContext, tuning: GraphTuning = GRAPH_TUNING): WhatsAppAdapter {
  return new WhatsAppAdapter(ctx, tuning);
}

export const createWhatsAppAdapter: CreateAdapter = (ctx) => buildWhatsAppAdapter(ctx);
