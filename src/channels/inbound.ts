import type { AuditLog } from '../audit/log.js';
import type { ChatService } from '../chat/service.js';
import type { TurnSink } from '../chat/turn-sink.js';
import type { Settings } from '../config/settings.js';
import type { MediaStore } from '../media/store.js';
import type { StoredAttachment } from '../media/types.js';
import { CHANNEL_DEFINITIONS } from './definitions.js';
import { ReplyStream } from './reply-stream.js';
import type { ChannelAdapter, InboundMessage, RunnableChannel } from './types.js';

export interface InboundDeps {
  settings: () => Settings;
  chat: Pick<ChatService, 'runTurn'>;
  media: Pick<MediaStore, 'save'>;
  audit: Pick<AuditLog, 'write'>;
  log(message: string): void;
  /** Whether a refusal of this sender should be audited now (a stranger flooding the bot writes one line a minute, not one per message). */
  auditRefusal?(senderKey: string): boolean;
}

/** What one handled message did (for tests, benchmarks and the caller's bookkeeping). */
export type InboundOutcome = { kind: 'refused' } | { kind: 'answered'; firstSentAt: number | null };

/**
 * The one place where a platform message becomes a turn. In order: the allow list (anyone not
 * on it is audited and ignored — nothing of theirs reaches the model or the session store), the
 * files (stored like dashboard uploads), then the same chat service as the dashboard, with the
 * sender's own memory scope (their platform id as `sender`) and never more than the
 * `channel_tool_profile`. The answer streams back through a ReplyStream.
 */
export async function handleInbound(
  deps: InboundDeps, channel: RunnableChannel, adapter: ChannelAdapter, message: InboundMessage,
): Promise<InboundOutcome> {
  const settings = deps.settings();
  const definition = CHANNEL_DEFINITIONS[channel];
  if (definition.refusal(settings) !== null || !definition.allows(settings, message)) {
    if (deps.auditRefusal && !deps.auditRefusal(`${channel}:${message.senderId}`)) return { kind: 'refused' };
    deps.audit.write({
      actor: `${channel}:${message.senderId}`, action: 'channel_message_refused', target: channel,
      severity: 'warning', status: 'block', context: { ...whoOf(channel, message), reason: 'not on the allow list' },
    });
    return { kind: 'refused' };
  }

  const reply = new ReplyStream(adapter, message.chatId, deps.log);
  // Platforms clear "typing…" after about 5 s: say it again until the answer starts.
  const typing = () => void adapter.typing?.(message.chatId).catch(() => undefined);
  typing();
  const typingTimer = setInterval(() => (reply.firstSentAt === null ? typing() : clearInterval(typingTimer)), TYPING_REPEAT_MS);
  try {
    await runTurn(deps, channel, message, settings.channel_tool_profile, reply);
  } finally {
    clearInterval(typingTimer);
  }
  await reply.finish();
  return { kind: 'answered', firstSentAt: reply.firstSentAt };
}

const TYPING_REPEAT_MS = 4000;

/** Who wrote, as the audit log and the stored message's metadata name them. */
function whoOf(channel: RunnableChannel, message: InboundMessage) {
  return { channel, chat_id: message.chatId, sender_id: message.senderId, sender_name: message.senderName ?? '' };
}

function runTurn(deps: InboundDeps, channel: RunnableChannel, message: InboundMessage, toolProfile: Settings['channel_tool_profile'], reply: ReplyStream): Promise<void> {
  return deps.chat.runTurn({
    baseKey: `${channel}:${message.chatId}`,
    text: message.text,
    metadata: { source: channel, ...whoOf(channel, message) },
    sender: message.senderId,
    attachments: storeFiles(deps, message),
    toolProfile,
  }, replySink(reply));
}

function storeFiles(deps: InboundDeps, message: InboundMessage): StoredAttachment[] {
  const stored: StoredAttachment[] = [];
  for (const file of message.files ?? []) {
    try {
      stored.push(deps.media.save(file.data, file.name, file.mime));
    } catch (err) {
      // Too big or unnamed: the text still goes through; the owner's log says why.
      deps.log(`file ${file.name} from ${message.chatId} not stored: ${(err as Error).message}`);
    }
  }
  return stored;
}

/** A turn's output as a platform user sees it: the answer, command replies and errors; no tool traffic. */
function replySink(reply: ReplyStream): TurnSink {
  return {
    started: () => undefined,
    text: (delta) => reply.push(delta),
    message: (content) => reply.note(content),
    event: (e) => {
      if (e.type === 'error') reply.note(`⚠️ ${e.message}`);
    },
    end: () => undefined,
  };
}
