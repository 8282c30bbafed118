/**
 * Files waiting in the composer (spec §4.7): each is uploaded at once with `POST /api/v1/media`
 * (progress from XMLHttpRequest), and the chat frame then names them by id. Sending waits until
 * every upload has finished.
 */
import type { AttachmentInfo } from '@protocol';
import { createStore } from '../store';

export const MAX_FILES = 10;

export interface PendingFile {
  key: number;
  name: string;
  size: number;
  /** The browser's idea of the type (only used to show a thumbnail while uploading). */
  type: string;
  /** An object URL of a picked image, for its thumbnail. */
  preview?: string;
  /** 0..1 while uploading. */
  progress: number;
  status: 'uploading' | 'done' | 'error';
  error?: string;
  /** The server's description once uploaded. */
  info?: AttachmentInfo;
  xhr?: XMLHttpRequest;
}

export const attachments = createStore<{ files: PendingFile[]; dragging: boolean }>({ files: [], dragging: false });

let seq = 1;

const update = (key: number, patch: Partial<PendingFile>) =>
  attachments.set((s) => ({ files: s.files.map((f) => (f.key === key ? { ...f, ...patch } : f)) }));

/** `2.4 MB`, `312 KB`, `18 bytes`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}

function errorOf(xhr: XMLHttpRequest, name: string): string {
  if (xhr.status === 0) return `${name} could not be sent: the connection to PocketPaw was lost.`;
  try {
    const detail = (JSON.parse(xhr.responseText) as { detail?: unknown }).detail;
    if (typeof detail === 'string' && detail) return detail;
  } catch {
    /* not JSON */
  }
  if (xhr.status === 413) return `${name} is too large to send.`;
  if (xhr.status === 401 || xhr.status === 403) return `${name} could not be sent: you are not allowed to upload files.`;
  return `${name} could not be sent (error ${xhr.status}).`;
}

function upload(f: PendingFile, file: Blob): void {
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/api/v1/media?name=${encodeURIComponent(f.name)}`);
  xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) update(f.key, { progress: e.loaded / e.total });
  };
  xhr.onload = () => {
    if (xhr.status === 200) {
      update(f.key, { status: 'done', progress: 1, info: JSON.parse(xhr.responseText) as AttachmentInfo, xhr: undefined });
    } else {
      update(f.key, { status: 'error', error: errorOf(xhr, f.name), xhr: undefined });
    }
  };
  xhr.onerror = () => update(f.key, { status: 'error', error: errorOf(xhr, f.name), xhr: undefined });
  update(f.key, { xhr });
  xhr.send(file);
}

const RASTER = /^image\/(png|jpeg|gif|webp)$/;

/** Adds files (picked, dropped or pasted) and starts uploading them. Returns a refusal in words, or null. */
export function addFiles(list: Iterable<File>): string | null {
  const incoming = [...list];
  if (!incoming.length) return null;
  const room = MAX_FILES - attachments.get().files.length;
  const taken = incoming.slice(0, Math.max(room, 0));
  const added: PendingFile[] = taken.map((file) => ({
    key: seq++,
    // A pasted screenshot is often just "image.png"; keep the browser's name.
    name: file.name || (file.type.startsWith('image/') ? `pasted.${file.type.slice(6).replace('jpeg', 'jpg')}` : 'file'),
    size: file.size,
    type: file.type,
    preview: RASTER.test(file.type) && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : undefined,
    progress: 0,
    status: 'uploading',
  }));
  attachments.set((s) => ({ files: [...s.files, ...added] }));
  added.forEach((f, i) => upload(f, taken[i]!));
  return taken.length < incoming.length ? `At most ${MAX_FILES} files can go with one message; ${incoming.length - taken.length} not added.` : null;
}

export function removeFile(key: number): void {
  const f = attachments.get().files.find((x) => x.key === key);
  f?.xhr?.abort();
  if (f?.preview) URL.revokeObjectURL(f.preview);
  attachments.set((s) => ({ files: s.files.filter((x) => x.key !== key) }));
}

/** After sending: the chips go (their thumbnails now come from the server). */
export function clearFiles(): void {
  for (const f of attachments.get().files) if (f.preview) URL.revokeObjectURL(f.preview);
  attachments.set({ files: [] });
}

/** What the composer needs: whether to wait, and what to send. */
export function composerFiles(s: { files: PendingFile[] }): { busy: boolean; failed: boolean; ready: AttachmentInfo[] } {
  return {
    busy: s.files.some((f) => f.status === 'uploading'),
    failed: s.files.some((f) => f.status === 'error'),
    ready: s.files.flatMap((f) => (f.status === 'done' && f.info ? [f.info] : [])),
  };
}

export function setDragging(dragging: boolean): void {
  if (attachments.get().dragging !== dragging) attachments.set({ dragging });
}

/** A stored user message's text without PocketPaw's `[Attached: …]` hint, when the files are shown as chips. */
export function stripAttachedHint(text: string): string {
  return text.replace(/\n\[Attached: [^\]\n]*\]$/, '');
}

export const isRasterImage = (mime: string): boolean => RASTER.test(mime);

export const mediaUrl = (id: string): string => `/api/v1/media/${encodeURIComponent(id)}`;
