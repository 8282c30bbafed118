import { downloadLimited, FileTooLargeError } from '../download.js';
import path from 'node:path';
import type { Bot } from 'grammy';
import type { Message } from 'grammy/types';
import type { InboundFile, InboundMessage } from '../types.js';
import { apiRootOf, apiSignal, describeError } from './api.js';

export interface InboundDeps {
  bot: Bot;
  token: string;
  /** `telegram_api_base_url`: files are served under `<root>/file/bot<token>/<file_path>`. */
  baseUrl: string;
  maxFileBytes: number;
  requestTimeoutSec: number;
  log(message: string): void;
}

/** A file attached to a message, before it is downloaded. */
interface FileRef {
  fileId: string;
  size?: number;
  name?: string;
  mime?: string;
  photo: boolean;
}

/** The largest photo size (Telegram lists several, smallest first) and any document. */
function fileRefs(msg: Message): FileRef[] {
  const refs: FileRef[] = [];
  if (msg.photo && msg.photo.length > 0) {
    const largest = msg.photo.reduce((a, b) => ((b.width * b.height > a.width * a.height) ? b : a));
    refs.push({ fileId: largest.file_id, size: largest.file_size, mime: 'image/jpeg', photo: true });
  }
  if (msg.document) {
    const d = msg.document;
    refs.push({ fileId: d.file_id, size: d.file_size, name: d.file_name, mime: d.mime_type, photo: false });
  }
  return refs;
}

/**
 * A Telegram message as the channel layer wants it, files downloaded, or null when it is nothing
 * for the agent (another bot, a sticker, a service message). A file over `maxFileBytes`, or one
 * that fails to download, is left out and logged; the text still goes through.
 */
export async function toInbound(msg: Message, deps: InboundDeps, signal: AbortSignal): Promise<InboundMessage | null> {
  const from = msg.from;
  // Bots answering bots is a loop waiting to happen; messages without a sender are channel posts.
  if (!from || from.is_bot) return null;
  const text = msg.text ?? msg.caption ?? '';
  const files: InboundFile[] = [];
  for (const ref of fileRefs(msg)) {
    const file = await download(ref, deps, signal);
    if (file) files.push(file);
  }
  if (signal.aborted) return null;
  if (text === '' && files.length === 0) return null;
  return {
    chatId: String(msg.chat.id),
    senderId: String(from.id),
    senderName: from.username || from.first_name,
    text,
    ...(files.length > 0 ? { files } : {}),
  };
}

async function download(ref: FileRef, deps: InboundDeps, signal: AbortSignal): Promise<InboundFile | null> {
  const label = ref.name ?? (ref.photo ? 'photo' : 'file');
  const tooBig = (size?: number) => {
    const what = size === undefined ? label : `${label} (${size} bytes)`;
    deps.log(`Telegram ${what} is over the ${deps.maxFileBytes}-byte file limit: not downloaded`);
    return null;
  };
  if (ref.size !== undefined && ref.size > deps.maxFileBytes) return tooBig(ref.size);
  try {
    const info = await deps.bot.api.getFile(ref.fileId, apiSignal(signal));
    if (info.file_size !== undefined && info.file_size > deps.maxFileBytes) return tooBig(info.file_size);
    if (!info.file_path) {
      deps.log(`Telegram gave no download path for ${label}: not downloaded`);
      return null;
    }
    const url = `${apiRootOf(deps.baseUrl)}/file/bot${deps.token}/${info.file_path}`;
    const data = await downloadLimited(url, { maxBytes: deps.maxFileBytes, timeoutMs: deps.requestTimeoutSec * 1000, signal });
    const name = ref.name ?? path.posix.basename(info.file_path);
    return { name, ...(ref.mime ? { mime: ref.mime } : {}), data };
  } catch (err) {
    if (err instanceof FileTooLargeError) return tooBig();
    if (!signal.aborted) deps.log(`Telegram ${label} download failed: ${describeError(err, deps.token)}`);
    return null;
  }
}
