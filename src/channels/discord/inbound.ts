import { downloadLimited, FileTooLargeError } from '../download.js';
import type { Attachment, Message } from 'discord.js';
import type { InboundFile, InboundMessage } from '../types.js';

/**
 * Which Discord messages reach the agent, and in what form: PocketPaw's rules (its
 * discord_adapter `on_message`). The bot answers direct messages, and in a server's channels only
 * messages that mention it, so it never joins conversations it was not asked into. Other bots
 * are ignored as well as itself: two bots answering each other would loop.
 */

/** How long one attachment download may take before it is skipped. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

export interface InboundOptions {
  botId: string;
  maxFileBytes: number;
  log(message: string): void;
}

/** Whether the bot should read this message at all. */
export function addressedToBot(message: Message, botId: string): boolean {
  if (message.author.bot || message.author.id === botId) return false;
  if (message.guildId === null) return true;
  return message.mentions.users.has(botId);
}

/** Removes the bot's own mention (`<@id>`, or the older nickname form `<@!id>`) from the text. */
export function stripMention(content: string, botId: string): string {
  return content.split(`<@${botId}>`).join('').split(`<@!${botId}>`).join('').trim();
}

/** The message as the channel layer sees it, or null when there is nothing to answer. */
export async function toInbound(message: Message, opts: InboundOptions): Promise<InboundMessage | null> {
  if (!addressedToBot(message, opts.botId)) return null;
  const text = stripMention(message.content, opts.botId);
  const files: InboundFile[] = [];
  for (const attachment of message.attachments.values()) {
    const file = await download(attachment, opts);
    if (file) files.push(file);
  }
  if (!text && files.length === 0) return null;
  return {
    chatId: message.channelId,
    senderId: message.author.id,
    senderName: message.author.username,
    groupId: message.guildId ?? undefined,
    text,
    ...(files.length > 0 ? { files } : {}),
  };
}

/** One attachment's bytes, or null (logged) when it is too large or cannot be fetched. */
async function download(attachment: Attachment, opts: InboundOptions): Promise<InboundFile | null> {
  const name = attachment.name || 'attachment';
  // Discord tells the size up front, so an oversized file is refused without fetching a byte.
  if (attachment.size > opts.maxFileBytes) {
    opts.log(`Discord attachment "${name}" skipped: ${attachment.size} bytes is over the ${opts.maxFileBytes}-byte limit`);
    return null;
  }
  try {
    const data = await downloadLimited(attachment.url, { maxBytes: opts.maxFileBytes, timeoutMs: DOWNLOAD_TIMEOUT_MS });
    const mime = attachment.contentType ?? undefined;
    return { name, data, ...(mime ? { mime } : {}) };
  } catch (err) {
    if (err instanceof FileTooLargeError) {
      opts.log(`Discord attachment "${name}" skipped: larger than the ${opts.maxFileBytes}-byte limit`);
    } else {
      opts.log(`Discord attachment "${name}" could not be downloaded: ${err instanceof Error ? err.message : String(err)}`);
    }
    return null;
  }
}

