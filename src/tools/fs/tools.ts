import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_TOOL_OUTPUT_CHARS } from '../registry.js';
import { ToolRefusedError, type ToolContext, type ToolDefinition } from '../types.js';
import { O_NOFOLLOW, resolveInJail, usableJailRoot } from './jail.js';

/** Bytes of a file read_file looks at: enough for the output cap, never the whole of a huge file. */
const READ_LIMIT_BYTES = MAX_TOOL_OUTPUT_CHARS * 4;
/** Files edit_file loads whole. */
const EDIT_LIMIT_BYTES = 10 * 1024 * 1024;
const LIST_LIMIT = 500;

const ENCODINGS = ['utf-8', 'utf8', 'latin1', 'ascii', 'utf16le', 'base64', 'hex'] as const;

function resolveFor(ctx: ToolContext, p: string) {
  return resolveInJail(usableJailRoot(ctx.settings, ctx.home), p);
}

function describeFsError(err: unknown, shown: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return new Error(`File not found: ${shown}`);
    case 'EISDIR': return new Error(`Not a file: ${shown}`);
    case 'ENOTDIR': return new Error(`Not a directory: ${shown}`);
    case 'EACCES': case 'EPERM': return new Error(`Permission denied: ${shown}`);
    case 'ELOOP': return new ToolRefusedError(`Access denied: ${shown} is a symbolic link`);
    case 'ENXIO': return new ToolRefusedError(`Not a regular file: ${shown} is a FIFO or device with nothing on the other end`);
    default: return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Never block a libuv thread on a FIFO: opening a named pipe waits for the other end (four such
 * calls used to hang the whole server). O_NONBLOCK makes that open return at once (a pipe with
 * no reader fails with ENXIO); it changes nothing for regular files.
 */
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** What a non-regular file is, for refusals: "a FIFO (named pipe)", "a socket", "a device". */
function specialKind(stat: fs.Stats): string | null {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return null;
}

function notRegular(shown: string, kind: string, tool: string): ToolRefusedError {
  return new ToolRefusedError(`Not a regular file: ${shown} is ${kind}; ${tool} works on regular files only`);
}

/**
 * Opens an existing regular file for reading: lstat first (a FIFO, socket or device is refused
 * before anything opens it), then O_NONBLOCK | O_NOFOLLOW, then fstat of what was opened (it may
 * have been swapped in between).
 */
async function openRegular(real: string, shown: string, tool: string): Promise<{ handle: fs.promises.FileHandle; stat: fs.Stats }> {
  let handle: fs.promises.FileHandle;
  try {
    const pre = await fs.promises.lstat(real);
    const kind = specialKind(pre);
    if (kind) throw notRegular(shown, kind, tool);
    if (pre.isDirectory()) throw new Error(`Not a file: ${shown} is a directory (use list_dir)`);
    handle = await fs.promises.open(real, fs.constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (err) {
    if (err instanceof ToolRefusedError || (err as NodeJS.ErrnoException).code === undefined) throw err;
    throw describeFsError(err, shown);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new Error(`Not a file: ${shown} is a directory (use list_dir)`);
    const kind = specialKind(stat);
    if (kind) throw notRegular(shown, kind, tool);
    if (!stat.isFile()) throw new Error(`Not a regular file: ${shown}`);
    return { handle, stat };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Writes `data` to `real` without following a symlink at the last component, and only into a regular file. */
async function writeNoFollow(real: string, data: string, shown = real, tool = 'write_file'): Promise<void> {
  const handle = await fs.promises.open(real, fs.constants.O_WRONLY | fs.constants.O_CREAT | O_NONBLOCK | O_NOFOLLOW, 0o644);
  try {
    const stat = await handle.stat();
    const kind = specialKind(stat);
    if (kind) throw notRegular(shown, kind, tool);
    await handle.truncate(0);
    await handle.writeFile(data, 'utf8');
  } finally {
    await handle.close();
  }
}

const readParams = z.object({
  path: z.string().describe('Path to the file to read (relative paths start in the workspace)'),
  encoding: z.enum(ENCODINGS).optional().describe('File encoding (default: utf-8)'),
});

export const readFileTool: ToolDefinition<typeof readParams> = {
  name: 'read_file',
  description: 'Read the contents of a text file in the workspace.',
  group: 'fs',
  trust: 'safe',
  untrustedOutput: true,
  parameters: readParams,
  async execute({ path: p, encoding }, ctx) {
    const { real, exists } = await resolveFor(ctx, p);
    if (!exists) throw new Error(`File not found: ${p}`);
    const { handle, stat } = await openRegular(real, p, 'read_file');
    try {
      const want = Math.min(stat.size, READ_LIMIT_BYTES);
      const buf = Buffer.alloc(want);
      const { bytesRead } = await handle.read(buf, 0, want, 0);
      const head = buf.subarray(0, bytesRead);
      const enc = encoding === 'utf-8' || encoding === undefined ? 'utf8' : encoding;
      if (enc === 'utf8' && head.subarray(0, 8192).includes(0)) {
        throw new Error(`Cannot read ${p}: not a text file (${stat.size} bytes)`);
      }
      let text = head.toString(enc);
      if (stat.size > bytesRead) text += `\n\n[File truncated: showing the first ${bytesRead} of ${stat.size} bytes]`;
      return text;
    } finally {
      await handle.close();
    }
  },
};

const writeParams = z.object({
  path: z.string().describe('Path to the file to write (relative paths start in the workspace)'),
  content: z.string().describe('Content to write to the file'),
});

export const writeFileTool: ToolDefinition<typeof writeParams> = {
  name: 'write_file',
  description: "Write content to a file in the workspace. Creates the file (and its folders) if it doesn't exist; replaces it if it does.",
  group: 'fs',
  trust: 'sensitive',
  parameters: writeParams,
  async execute({ path: p, content }, ctx) {
    const root = usableJailRoot(ctx.settings, ctx.home);
    const first = await resolveInJail(root, p);
    try {
      await fs.promises.mkdir(path.dirname(first.real), { recursive: true });
    } catch (err) {
      throw describeFsError(err, p);
    }
    // Resolved again now that the folders exist: a link made in between cannot lead out.
    const { real, exists } = await resolveInJail(root, p);
    if (exists && (await fs.promises.stat(real)).isDirectory()) throw new Error(`Not a file: ${p} is a directory`);
    try {
      await writeNoFollow(real, content, p, 'write_file');
    } catch (err) {
      throw err instanceof ToolRefusedError ? err : describeFsError(err, p);
    }
    return `Successfully wrote ${content.length} characters to ${p}`;
  },
};

const editParams = z.object({
  path: z.string().describe('Path to the file to edit'),
  old_text: z.string().describe('The exact text to replace, including whitespace; must occur exactly once unless replace_all is set'),
  new_text: z.string().describe('The text to put in its place'),
  replace_all: z.boolean().optional().describe('Replace every occurrence of old_text (default: false)'),
});

export const editFileTool: ToolDefinition<typeof editParams> = {
  name: 'edit_file',
  description: 'Edit a text file in the workspace by replacing an exact piece of text (old_text) with new_text. Read the file first; old_text must match exactly once unless replace_all is true.',
  group: 'fs',
  trust: 'sensitive',
  parameters: editParams,
  async execute({ path: p, old_text: oldText, new_text: newText, replace_all: all }, ctx) {
    if (oldText === '') throw new Error('old_text must not be empty (use write_file to create or replace a whole file)');
    const { real, exists } = await resolveFor(ctx, p);
    if (!exists) throw new Error(`File not found: ${p}`);
    let text: string;
    const { handle, stat } = await openRegular(real, p, 'edit_file');
    try {
      if (stat.size > EDIT_LIMIT_BYTES) throw new Error(`${p} is too large to edit (${stat.size} bytes; limit ${EDIT_LIMIT_BYTES})`);
      text = await handle.readFile('utf8');
    } catch (err) {
      throw describeFsError(err, p);
    } finally {
      await handle.close();
    }
    const count = text.split(oldText).length - 1;
    if (count === 0) throw new Error(`old_text was not found in ${p}`);
    if (count > 1 && !all) throw new Error(`old_text occurs ${count} times in ${p}: include more surrounding text to make it unique, or set replace_all`);
    const updated = all ? text.split(oldText).join(newText) : text.replace(oldText, () => newText);
    try {
      await writeNoFollow(real, updated, p, 'edit_file');
    } catch (err) {
      throw err instanceof ToolRefusedError ? err : describeFsError(err, p);
    }
    return `Edited ${p}: replaced ${all ? count : 1} occurrence${(all ? count : 1) === 1 ? '' : 's'}`;
  },
};

const listParams = z.object({
  path: z.string().describe('Path to the directory to list (relative paths start in the workspace; "." is the workspace)'),
  show_hidden: z.boolean().optional().describe('Show hidden files (default: false)'),
});

export const listDirTool: ToolDefinition<typeof listParams> = {
  name: 'list_dir',
  description: 'List the contents of a directory in the workspace.',
  group: 'fs',
  trust: 'safe',
  untrustedOutput: true,
  parameters: listParams,
  async execute({ path: p, show_hidden: hidden }, ctx) {
    const { real, exists } = await resolveFor(ctx, p);
    if (!exists) throw new Error(`Directory not found: ${p}`);
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(real, { withFileTypes: true });
    } catch (err) {
      throw describeFsError(err, p);
    }
    const shown = entries.filter((e) => hidden || !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (shown.length === 0) return '(empty directory)';
    const lines: string[] = [];
    for (const e of shown.slice(0, LIST_LIMIT)) {
      if (e.isDirectory()) lines.push(`[DIR] ${e.name}`);
      else if (e.isSymbolicLink()) lines.push(`[LINK] ${e.name}`);
      else if (e.isFile()) {
        const size = await fs.promises.lstat(path.join(real, e.name)).then((s) => ` (${s.size} bytes)`, () => '');
        lines.push(`[FILE] ${e.name}${size}`);
      } else lines.push(`[OTHER] ${e.name}`);
    }
    if (shown.length > LIST_LIMIT) lines.push(`… and ${shown.length - LIST_LIMIT} more entries`);
    return lines.join('\n');
  },
};

export const fsTools: ToolDefinition[] = [readFileTool, writeFileTool, editFileTool, listDirTool] as ToolDefinition[];
