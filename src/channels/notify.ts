import type { Settings } from '../config/settings.js';
import { CHANNEL_DEFINITIONS } from './definitions.js';
import type { ChannelManager } from './manager.js';
import { RUNNABLE_CHANNELS, type RunnableChannel } from './types.js';

export interface NotifyTarget {
  channel: RunnableChannel;
  chatId: string;
}

function runnable(name: string): name is RunnableChannel {
  return (RUNNABLE_CHANNELS as readonly string[]).includes(name);
}

/** `telegram:123` → that chat; a bare `telegram` → the owner's own chat, when the allow list names one. */
function parseTarget(value: string, s: Settings): NotifyTarget | null {
  const at = value.indexOf(':');
  const channel = (at < 0 ? value : value.slice(0, at)).trim();
  if (!runnable(channel)) return null;
  const chatId = at < 0 ? CHANNEL_DEFINITIONS[channel].ownerChat?.(s) ?? null : value.slice(at + 1).trim();
  return chatId ? { channel, chatId } : null;
}

/**
 * Where a message the user did not ask for goes (a due reminder, an intention's result): back
 * to the chat it was made from when that is a channel chat (`origin` is its session key), else
 * to `notify_channel`. Null: dashboards only.
 */
export function notifyTarget(s: Settings, origin?: string): NotifyTarget | null {
  const fromChat = origin ? parseTarget(origin, s) : null;
  if (fromChat) return fromChat;
  return s.notify_channel ? parseTarget(s.notify_channel, s) : null;
}

/** Sends `text` to the target of `origin` (see notifyTarget); false when there is none or it failed. */
export async function notify(channels: ChannelManager, s: Settings, text: string, origin?: string): Promise<boolean> {
  const target = notifyTarget(s, origin);
  if (!target) return false;
  return channels.deliver(target.channel, target.chatId, text);
}
