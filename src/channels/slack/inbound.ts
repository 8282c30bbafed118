import { z } from 'zod';
import type { InboundFile, InboundMessage } from '../types.js';
import { downloadLimited, FileTooLargeError, mayCarryToken, skippedFileNote } from '../download.js';

/** The parts of a Slack `message` / `app_mention` event we read; the rest is ignored. */
const SlackFile = z.object({
  name: z.string().optional(),
  title: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private: z.string().optional(),
  url_private_download: z.string().optional(),
});

export const SlackEvent = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  team: z.string().optional(),
  files: z.array(SlackFile).optional(),
  user_profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
});
export type SlackEvent = z.infer<typeof SlackEvent>;

/**
 * Which events become messages, as in PocketPaw: every `app_mention`, and `message` events in
 * a DM (`channel_type: im`). Channel messages arrive as `app_mention` when they name the bot, so
 * handling their `message` twin too would answer twice. Bots (ourselves included) are ignored,
 * and so are edits, joins and other subtypes — except `file_share`, a DM with attachments.
 */
export function wanted(event: SlackEvent, botUserId: string | undefined): boolean {
  if (!event.user || !event.channel || event.bot_id || event.user === botUserId) return false;
  if (event.type === 'app_mention') return true;
  if (event.type !== 'message' || event.channel_type !== 'im') return false;
  return event.subtype === undefined || event.subtype === 'file_share';
}

/** Removes the bot's own mention (`<@U123>` or `<@U123|name>`), the way one addresses it in a channel. */
export function stripMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  const escaped = botUserId.replace(/[^A-Za-z0-9]/g, '');
  return text.replace(new RegExp(`<@${escaped}(?:\\|[^>]*)?>\\s*`, 'g'), '').trim();
}

/** Slack escapes `&`, `<` and `>` in message text; the model should read what the user typed. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export interface InboundDeps {
  botToken: string;
  botUserId: string | undefined;
  apiBase: string;
  maxFileBytes: number;
  downloadTimeoutMs: number;
  log(message: string): void;
}

/** Slack's file hosts (`files.slack.com`, `*.slack-edge.com` for some workspaces). */
const SLACK_FILE_HOSTS = ['slack.com', 'slack-edge.com'];

/** An event we want, as the channel layer's message; null when nothing is left to say. */
export async function toInbound(event: SlackEvent, teamId: string | undefined, deps: InboundDeps): Promise<InboundMessage | null> {
  let text = unescapeSlack(stripMention(event.text ?? '', deps.botUserId));
  const files: InboundFile[] = [];
  for (const f of event.files ?? []) {
    const name = f.name ?? f.title ?? 'file';
    const url = f.url_private_download ?? f.url_private;
    if (!url) continue;
    if (!mayCarryToken(url, deps.apiBase, SLACK_FILE_HOSTS)) {
      deps.log(`skipped file ${name}: not on a Slack host`);
      continue;
    }
    if (f.size !== undefined && f.size > deps.maxFileBytes) {
      text += `\n${skippedFileNote(name, `larger than the ${Math.round(deps.maxFileBytes / 1048576)} MB limit`)}`;
      continue;
    }
    try {
      const data = await downloadLimited(url, { headers: { authorization: `Bearer ${deps.botToken}` }, maxBytes: deps.maxFileBytes, timeoutMs: deps.downloadTimeoutMs });
      files.push({ name, ...(f.mimetype ? { mime: f.mimetype } : {}), data });
    } catch (err) {
      if (err instanceof FileTooLargeError) {
        text += `\n${skippedFileNote(name, `larger than the ${Math.round(deps.maxFileBytes / 1048576)} MB limit`)}`;
      } else {
        deps.log(`could not download ${name}: ${(err as Error).message}`);
      }
    }
  }
  text = text.trim();
  if (!text && files.length === 0) return null;
  const senderName = event.user_profile?.display_name || event.user_profile?.real_name || undefined;
  return {
    chatId: event.channel ?? '',
    senderId: event.user ?? '',
    ...(senderName ? { senderName } : {}),
    ...(teamId ?? event.team ? { groupId: teamId ?? event.team } : {}),
    text,
    ...(files.length ? { files } : {}),
  };
}
