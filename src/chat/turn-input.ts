import type { ModelMessage } from 'ai';
import type { StoredAttachment } from '../media/types.js';
import { withoutInterruptedMarker } from './turn-record.js';

/** PocketPaw's hint after a message's text when files came with it (spec §7.2). */
export function attachedHint(attachments: readonly StoredAttachment[]): string {
  return attachments.length ? `\n[Attached: ${attachments.map((a) => a.name).join(', ')}]` : '';
}

/**
 * The stored user message: the text with PocketPaw's `[Attached: …]` hint, and the client's
 * metadata with `attachments` set from the files the server stored — never from the client's
 * own frame, which could name any file.
 */
export function userMessage(
  text: string, input: { metadata: Record<string, unknown>; attachments?: StoredAttachment[] },
): { content: string; metadata: Record<string, unknown> } {
  const { attachments: _claimed, ...metadata } = input.metadata;
  const files = input.attachments ?? [];
  if (files.length) metadata.attachments = files.map(({ id, name, mime_type, size }) => ({ id, name, mime_type, size }));
  return { content: text + attachedHint(files), metadata };
}

const CONTINUE_INSTRUCTION =
  'Continue your previous answer exactly where it stopped. Do not repeat anything you already wrote and do not comment on the interruption; start with the next word.';

/** The end of the prompt for `continue`: the stopped answer as the model's own turn, then the request to go on. */
export function continuePrompt(storedContent: string): ModelMessage[] {
  return [
    { role: 'assistant', content: withoutInterruptedMarker(storedContent) },
    { role: 'user', content: CONTINUE_INSTRUCTION },
  ];
}
