import type { ModelMessage } from 'ai';
import { prepareUserMessage } from '../media/turn.js';
import type { StoredAttachment } from '../media/types.js';
import { withoutInterruptedMarker } from './turn-record.js';

/**
 * The stored user message: the text with PocketPaw's `[Attached: …]` hint (the files copied into
 * the agent's workspace), and the client's metadata with `attachments` set from the files the
 * server stored — never from the client's own frame, which could name any file.
 */
export function userMessage(
  text: string, input: { metadata: Record<string, unknown>; attachments?: StoredAttachment[] }, workspace: string,
): { content: string; metadata: Record<string, unknown> } {
  const { attachments: _claimed, ...metadata } = input.metadata;
  const user = prepareUserMessage(text, input.attachments, workspace);
  return { content: user.content, metadata: { ...metadata, ...user.metadata } };
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
