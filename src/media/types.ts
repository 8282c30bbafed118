import type { AttachmentInfo } from '../protocol/sessions.js';

/** A file a user sent with a message, as stored under `~/.pocketpaw/media/` (spec §4.7). */
export interface StoredAttachment extends AttachmentInfo {
  /** Absolute path of the stored file (server-side only; never sent to a client). */
  path: string;
}
