import type { Settings } from '../config/settings.js';

export { CHANNELS, RUNNABLE_CHANNELS, type ChannelName, type RunnableChannel } from '../protocol/channels.js';
import type { ChannelName } from '../protocol/channels.js';

/** A file that came with an inbound message, already downloaded by the adapter. */
export interface InboundFile {
  name: string;
  mime?: string;
  data: Uint8Array;
}

/** One message from a platform user, as every adapter reports it. */
export interface InboundMessage {
  /** The conversation: the session key becomes `<channel>:<chatId>` (spec §7.1). */
  chatId: string;
  /** The platform's id of the person who wrote it: allow lists and memory scopes use it. */
  senderId: string;
  /** A display name, for the audit log and the session title. */
  senderName?: string;
  /** The guild (Discord) or workspace (Slack) it was written in, when the platform has one. */
  groupId?: string;
  text: string;
  files?: InboundFile[];
}

/** A message the adapter sent, so a streamed answer can edit it. */
export interface SentMessage {
  chatId: string;
  messageId: string;
}

/** A file the agent sends back. */
export interface OutboundFile {
  name: string;
  mime: string;
  data: Uint8Array;
}

/** What a platform allows: how long one message may be, and how often it may be edited. */
export interface ChannelLimits {
  /** Characters in one message; longer answers are split into several. */
  maxChars: number;
  /** Whether a sent message can be edited (streamed answers); without it the answer is sent once, whole. */
  canEdit: boolean;
  /** Least time between two edits of one message, within the platform's rate limits. */
  editIntervalMs: number;
}

/**
 * One messaging platform. `start` resolves once connected and rejects with a message the owner
 * can act on (a bad token, an unreachable server); after that, every inbound message goes to
 * `onMessage` and errors are reported through the context's `log`. Adapters never decide who may
 * talk to the agent: the channel layer checks the allow list before anything reaches the model.
 */
export interface ChannelAdapter {
  readonly limits: ChannelLimits;
  start(onMessage: (message: InboundMessage) => void): Promise<void>;
  /** Disconnects; a turn still running finds `send`/`edit` rejecting, which it tolerates. */
  stop(): Promise<void>;
  send(chatId: string, text: string): Promise<SentMessage>;
  edit(message: SentMessage, text: string): Promise<void>;
  sendFile(chatId: string, file: OutboundFile): Promise<SentMessage>;
  /** Shows "typing…" while the agent works, where the platform has it. */
  typing?(chatId: string): Promise<void>;
}

/** What an adapter is built with. */
export interface AdapterContext {
  /** The settings when the channel was started (tokens, `<channel>_api_base_url`). */
  settings: Settings;
  /** Largest file downloaded from the platform, in bytes (`media_max_file_size_mb`). */
  maxFileBytes: number;
  /** Problems worth a line in the server log (never a token). */
  log(message: string): void;
}

/** Each channel's adapter module exports this. */
export type CreateAdapter = (ctx: AdapterContext) => ChannelAdapter;
