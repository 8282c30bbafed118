import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import { workspaceDir } from '../tools/fs/jail.js';
import { extensionFor, mimeTypeOf } from './mime.js';
import type { StoredAttachment } from './types.js';

/** Spec §4.7: at most this many files go with one message. */
export const MAX_FILES_PER_MESSAGE = 10;

const MB = 1024 * 1024;
/** Long names are cut (keeping the extension) so a stored name stays well under 255 bytes. */
const MAX_NAME_CHARS = 120;
/** PocketPaw's naming: `<ms timestamp hex>_<6 hex>_<sanitized name>`. */
const ID_PATTERN = /^[0-9a-f]{1,16}_[0-9a-f]{6}_[A-Za-z0-9_.-]{1,200}$/;

/**
 * PocketPaw's sanitising of a file name: every character outside `[A-Za-z0-9_.-]` becomes `_`,
 * runs of `_` collapse, `_` is trimmed from both ends, and an empty result is `file`. Ours on top:
 * runs of dots collapse to one and a leading dot goes, so a stored name is never `..` or hidden.
 */
export function sanitizeName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/_+/g, '_').replace(/\.{2,}/g, '.').replace(/^[_.]+|_+$/g, '');
  if (s.length > MAX_NAME_CHARS) {
    const ext = path.extname(s).slice(0, 16);
    s = s.slice(0, MAX_NAME_CHARS - ext.length) + ext;
  }
  return s || 'file';
}

/** The display name of a stored id (the sanitized name after the two prefixes). */
function nameOfId(id: string): string {
  return id.split('_').slice(2).join('_');
}

/** `31 MB`, `2.5 MB`: a size in the words of the limit message. */
export function formatMb(bytes: number): string {
  const mb = bytes / MB;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

/** A WebSocket `media` item (spec §4.2, §4.7): inline base64, or an uploaded file's id. */
export type WsMediaItem = { data: string; name: string; mime_type?: string } | { id: string };

/**
 * Files users send with messages, kept under `<data dir>/media/` (PocketPaw's `~/.pocketpaw/media`).
 * A file's id is its stored name; ids are checked so that no id ever names a path outside the
 * folder. Types are decided from the bytes (see mime.ts), never from what a client claims.
 */
export class MediaStore {
  readonly dir: string;

  constructor(private readonly home: string, private readonly settings: () => Pick<Settings, 'media_max_file_size_mb' | 'workspace_dir'>) {
    this.dir = path.join(home, 'media');
  }

  /** The agent's workspace now (`workspace_dir`), where attachments are copied and REST paths may point. */
  workspace(): string {
    return workspaceDir(this.home, this.settings());
  }

  /** The size limit of one file, in bytes (`media_max_file_size_mb`). */
  maxBytes(): number {
    return Math.floor(this.settings().media_max_file_size_mb * MB);
  }

  /** Throws the plain-words refusal when `bytes` is over the limit. */
  checkSize(name: string, bytes: number): void {
    const limit = this.settings().media_max_file_size_mb;
    if (bytes > this.maxBytes()) {
      let size = formatMb(bytes);
      if (size === `${limit} MB`) size = `over ${limit} MB`;
      throw new InvalidInputError(`${name} is ${size}; the limit is ${limit} MB (setting media_max_file_size_mb).`);
    }
  }

  /** Stores bytes under a new id. `mimeType` (the client's) only helps pick a missing extension. */
  save(bytes: Uint8Array, name: string, mimeType?: string): StoredAttachment {
    const shown = name.trim() || 'file';
    this.checkSize(shown, bytes.length);
    const head = bytes.subarray(0, 16);
    let clean = sanitizeName(path.basename(shown.replace(/\\/g, '/')));
    if (!path.extname(clean)) clean += extensionFor(head, mimeType);
    const id = `${Date.now().toString(16)}_${crypto.randomUUID().replace(/-/g, '').slice(0, 6)}_${clean}`;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, id);
    fs.writeFileSync(file, bytes, { flag: 'wx', mode: 0o600 });
    return { id, name: clean, mime_type: mimeTypeOf(clean, head), size: bytes.length, path: file };
  }

  /** Whether `id` has the shape of a stored name: no separators, no `..`, no NUL. */
  static isId(id: string): boolean {
    return ID_PATTERN.test(id) && !id.includes('..');
  }

  /** A stored file. An id that is not one (a path, `..`, a symlink) is simply not found. */
  get(id: string): StoredAttachment {
    if (!MediaStore.isId(id)) throw new NotFoundError('No such file');
    const file = path.join(this.dir, id);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      throw new NotFoundError('No such file');
    }
    if (!stat.isFile()) throw new NotFoundError('No such file');
    const name = nameOfId(id);
    return { id, name, mime_type: mimeTypeOf(name, readHead(file)), size: stat.size, path: file };
  }

  /**
   * WebSocket `media` items (spec §4.2, §4.7): `{data, name, mime_type?}` (base64) or `{id}`.
   * Everything is checked before anything is written, so a refused message stores nothing.
   */
  resolveWs(items: unknown): StoredAttachment[] {
    if (items === undefined || items === null) return [];
    if (!Array.isArray(items)) throw new InvalidInputError('media must be a list of files.');
    this.checkCount(items.length);
    const plan: Array<StoredAttachment | { bytes: Buffer; name: string; mime?: string }> = items.map((raw, i) => {
      const item = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      if (typeof item.id === 'string') return this.uploaded(item.id);
      if (typeof item.data !== 'string') throw new InvalidInputError(`media item ${i + 1} needs "data" (base64) and "name", or the "id" of an uploaded file.`);
      const name = typeof item.name === 'string' && item.name.trim() ? item.name.trim() : 'file';
      // Refuse an oversized payload before decoding it.
      this.checkSize(name, Math.floor((item.data.length * 3) / 4) - 2);
      const data = item.data.replace(/^data:[^,]*,/, '');
      if (!/^[A-Za-z0-9+/_\-\s]*={0,2}\s*$/.test(data)) throw new InvalidInputError(`${name} is not valid base64 data.`);
      return { bytes: Buffer.from(data, 'base64'), name, mime: typeof item.mime_type === 'string' ? item.mime_type : undefined };
    });
    return plan.map((p) => ('bytes' in p ? this.save(p.bytes, p.name, p.mime) : p));
  }

  /**
   * REST `media` items (spec §3.3, §4.7): an uploaded file's id, or a path on this machine that
   * must lie inside the media folder or the agent's workspace (PocketPaw reads any path; we do
   * not). A workspace file is copied into the media folder, so the message keeps it.
   */
  resolveRest(items: readonly string[] | undefined, workspace: string): StoredAttachment[] {
    if (!items?.length) return [];
    this.checkCount(items.length);
    const roots = [this.dir, workspace].map(realOrSelf);
    const found = items.map((item) => {
      if (MediaStore.isId(item) && !item.includes('/') && fs.existsSync(path.join(this.dir, item))) return { media: this.get(item) };
      const wanted = path.resolve(workspace, item);
      const outside = () => new InvalidInputError(`Cannot attach ${item}: only files in the media folder (${this.dir}) or the agent's workspace (${workspace}) can be attached.`);
      // Outside as written: refused before the file system is asked, so a refusal never tells whether a file exists.
      const lexical = [this.dir, workspace].map((r) => path.resolve(r));
      if (![...lexical, ...roots].some((r) => wanted.startsWith(r + path.sep))) throw outside();
      let real: string;
      try {
        real = fs.realpathSync(wanted);
      } catch {
        throw new InvalidInputError(`Cannot attach ${item}: no such file (send an uploaded file's id, or a path in the agent's workspace ${workspace}).`);
      }
      const root = roots.find((r) => real.startsWith(r + path.sep));
      if (!root) throw outside();
      const stat = fs.statSync(real);
      if (!stat.isFile()) throw new InvalidInputError(`Cannot attach ${item}: it is not a file.`);
      this.checkSize(path.basename(real), stat.size);
      if (root === roots[0] && path.dirname(real) === roots[0] && MediaStore.isId(path.basename(real))) return { media: this.get(path.basename(real)) };
      return { copy: real };
    });
    return found.map((f) => f.media ?? this.save(fs.readFileSync(f.copy!), path.basename(f.copy!)));
  }

  private uploaded(id: string): StoredAttachment {
    try {
      return this.get(id);
    } catch {
      throw new InvalidInputError(`No uploaded file with id ${JSON.stringify(id.slice(0, 100))}; upload it again.`);
    }
  }

  private checkCount(n: number): void {
    if (n > MAX_FILES_PER_MESSAGE) throw new InvalidInputError(`At most ${MAX_FILES_PER_MESSAGE} files can go with one message; this one has ${n}.`);
  }
}

function readHead(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const n = fs.readSync(fd, head, 0, 16, 0);
    return head.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** PocketPaw's hint appended to the stored user message: `\n[Attached: a.png, b.pdf]`. */
export function attachedHint(names: readonly string[]): string {
  return names.length ? `\n[Attached: ${names.join(', ')}]` : '';
}

/**
 * Copies each attachment into `<workspace>/attachments/` so the agent's file tools can read it;
 * a name already there gets `-2`, `-3`, … Returns the copies' paths. A workspace `attachments`
 * that is not a plain folder of the workspace (a symlink the agent made) is refused.
 */
export function copyToWorkspace(attachments: readonly StoredAttachment[], workspace: string): string[] {
  if (!attachments.length) return [];
  const dir = path.join(workspace, 'attachments');
  fs.mkdirSync(dir, { recursive: true });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || fs.realpathSync(dir) !== path.join(realOrSelf(workspace), 'attachments')) {
    throw new InvalidInputError(`Cannot copy attachments into ${dir}: it is not a folder of the workspace.`);
  }
  return attachments.map((a) => {
    const ext = path.extname(a.name);
    const stem = a.name.slice(0, a.name.length - ext.length);
    for (let n = 1; ; n++) {
      const target = path.join(dir, n === 1 ? a.name : `${stem}-${n}${ext}`);
      try {
        // EXCL: never overwrites, and never follows a symlink planted at the name.
        fs.copyFileSync(a.path, target, fs.constants.COPYFILE_EXCL);
        return target;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 999) throw err;
      }
    }
  });
}
