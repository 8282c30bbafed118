import path from 'node:path';
import type { ImagePart, ModelMessage } from 'ai';
import type { Settings } from '../config/settings.js';
import type { ProviderKind } from '../models/resolver.js';
import type { AttachmentInfo } from '../protocol/sessions.js';
import { isRasterImage } from './mime.js';
import { attachedHint, copyToWorkspace, type MediaStore } from './store.js';
import type { StoredAttachment } from './types.js';
import { acceptsImages, imageParts } from './vision.js';

/**
 * What the chat turn calls for attachments (spec §4.7), so that wiring them is a few lines:
 *
 *   const user = prepareUserMessage(text, input.attachments, workspaceDir(home, settings));
 *   const images = await imagePromptParts(input.attachments, resolved, settings);
 *   if (images.notice) sink.message(images.notice, 'vision');
 *   messages = withImages(buildPromptHistory(...), images.parts);
 */

/**
 * The user message to store: the text with PocketPaw's `[Attached: …]` hint, and
 * `metadata.attachments` (what history shows). Copies each file into `<workspace>/attachments/`
 * so the agent's file tools can open it; both name the copies. No attachments: the text as is.
 */
export function prepareUserMessage(
  text: string, attachments: readonly StoredAttachment[] | undefined, workspace: string,
): { content: string; metadata: { attachments?: AttachmentInfo[] } } {
  const copies = withWorkspaceCopies(attachments, workspace);
  if (!copies?.length) return { content: text, metadata: {} };
  return {
    content: text + attachedHint(copies.map((a) => a.name)),
    metadata: { attachments: copies.map(({ id, name, mime_type, size }) => ({ id, name, mime_type, size })) },
  };
}

/**
 * Copies the attachments into `<workspace>/attachments/` and returns them named as their copies
 * are (`photo-2.png` when a `photo.png` was already there), so the `[Attached: …]` hint and
 * `metadata.attachments` name the file the agent will find.
 */
export function withWorkspaceCopies(attachments: readonly StoredAttachment[] | undefined, workspace: string): StoredAttachment[] | undefined {
  if (!attachments?.length) return attachments ? [] : undefined;
  const copies = copyToWorkspace(attachments, workspace);
  return attachments.map((a, i) => ({ ...a, name: path.basename(copies[i]!) }));
}

/**
 * The attachments of the newest user message of a stored history (`metadata.attachments`, spec
 * §4.7) as files of the media folder: what `imagePromptParts` sends for a chat, an edit or a
 * regenerated answer alike. Ids that are not files there are skipped.
 */
export function lastUserAttachments(
  history: readonly { role: string; metadata?: Record<string, unknown> }[], media: Pick<MediaStore, 'get'>,
): StoredAttachment[] {
  let i = history.length - 1;
  while (i >= 0 && history[i]!.role !== 'user') i--;
  const listed = i >= 0 ? history[i]!.metadata?.attachments : undefined;
  if (!Array.isArray(listed)) return [];
  return listed.flatMap((a: unknown) => {
    const id = (a as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return [];
    try {
      return [media.get(id)];
    } catch {
      return [];
    }
  });
}

/** The notice a turn shows when the model cannot see the images it was sent. */
export function visionNotice(modelId: string, count: number): string {
  const what = count === 1 ? 'the image' : `the ${count} images`;
  return `${modelId} cannot see images, so it got only the file name${count === 1 ? '' : 's'} of ${what}, not the picture${count === 1 ? '' : 's'}. `
    + 'To ask about an image, pick a model that accepts images (Claude, GPT-4o or later, or a vision model such as llava or qwen2.5vl on Ollama).';
}

/**
 * The image parts for the prompt, when the model accepts images; otherwise none and the notice
 * to show (`sink.message(notice, 'vision')`). Nothing to do without raster images.
 */
export async function imagePromptParts(
  attachments: readonly StoredAttachment[] | undefined,
  model: { provider: ProviderKind; modelId: string },
  settings: Pick<Settings, 'ollama_host'>,
): Promise<{ parts: ImagePart[]; notice: string | null }> {
  const images = (attachments ?? []).filter((a) => isRasterImage(a.mime_type));
  if (!images.length) return { parts: [], notice: null };
  if (!(await acceptsImages(model.provider, model.modelId, settings))) return { parts: [], notice: visionNotice(model.modelId, images.length) };
  return { parts: imageParts(images), notice: null };
}

/** The prompt with `parts` added to its last user message (the one being answered). */
export function withImages(messages: ModelMessage[], parts: readonly ImagePart[]): ModelMessage[] {
  if (!parts.length) return messages;
  let at = messages.length - 1;
  while (at >= 0 && messages[at]!.role !== 'user') at--;
  if (at < 0) return messages;
  const m = messages[at]!;
  const text = typeof m.content === 'string' ? [{ type: 'text' as const, text: m.content }] : m.content;
  const out = [...messages];
  out[at] = { role: 'user', content: [...text, ...parts] } as ModelMessage;
  return out;
}
