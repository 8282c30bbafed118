import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../../config/settings.js';
import { ToolRefusedError } from '../types.js';

function expandTilde(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/**
 * The agent's own folder: `workspace_dir` when set, else `<data dir>-workspace` beside the data
 * dir (`~/.pocketpaw-workspace`). Never inside the data dir: the shell's sandbox binds the
 * workspace read-write, and nothing of the data dir (token, keys, database) may be reachable.
 */
export function workspaceDir(home: string, settings?: Pick<Settings, 'workspace_dir'>): string {
  const custom = settings?.workspace_dir.trim();
  if (custom) return path.resolve(expandTilde(custom));
  return `${path.resolve(home)}-workspace`;
}

/** Where the workspace lived before it moved out of the data dir (migrated on start). */
export function legacyWorkspaceDir(home: string): string {
  return path.join(home, 'workspace');
}

/**
 * Where the file tools and the shell may work. `file_jail_path` when the user pointed it
 * somewhere; otherwise the workspace. The loader fills an unset `file_jail_path` with the home
 * directory (the spec's default, used by the file browser), so that value counts as "not set":
 * the agent does not get the whole home directory unless the jail is set to something else.
 */
export function jailRoot(settings: Settings, home: string): string {
  return customJail(settings) ?? workspaceDir(home, settings);
}

/** `file_jail_path` when it counts as set (see `jailRoot`), resolved. */
function customJail(settings: Settings): string | null {
  const custom = settings.file_jail_path.trim();
  if (!custom) return null;
  const resolved = path.resolve(expandTilde(custom));
  return resolved === path.resolve(os.homedir()) ? null : resolved;
}

/** `p` with symlinks resolved as far as it exists (the rest appended as written). */
function realish(p: string): string {
  const rest: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return path.resolve(p);
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

/**
 * Why the jail root may not be used, or null when it may: it must not be the data dir, contain
 * it or lie inside it (compared as written and by real path, so a symlink does not hide it).
 * The message names the setting to change. The security audit can show it too.
 */
export function jailProblem(settings: Settings, home: string): string | null {
  const root = jailRoot(settings, home);
  const setting = customJail(settings) ? 'file_jail_path' : settings.workspace_dir.trim() ? 'workspace_dir' : null;
  const pairs: [string, string][] = [[path.resolve(root), path.resolve(home)], [realish(root), realish(home)]];
  let relation: string | null = null;
  for (const [r, h] of pairs) {
    if (r === h) relation = 'is the data dir';
    else if (isInside(h, r)) relation = 'lies inside the data dir';
    else if (isInside(r, h)) relation = 'contains the data dir';
    if (relation) break;
  }
  if (!relation) return null;
  const fix = setting
    ? `change the setting ${setting} to a folder outside ${home}`
    : `set workspace_dir to a folder outside ${home}`;
  return `The agent's folder ${root} ${relation} (${home}), where the access token and keys live: tools are off until you ${fix}.`;
}

/** The jail root for a tool call; refuses the call when `jailProblem` finds one. */
export function usableJailRoot(settings: Settings, home: string): string {
  const problem = jailProblem(settings, home);
  if (problem) throw new ToolRefusedError(problem);
  return jailRoot(settings, home);
}

/** True when `p` is `root` or lies inside it, compared by path components (spec §10 item 12). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Characters that render like `.`, `/` or `\` without being them. Node's fs takes them
 * literally (so they cannot escape on their own), but anything that normalises Unicode later
 * (a shell, a sync tool, another OS) could turn `．．／` into `../`: such paths are refused.
 */
const LOOKALIKES = new Set([
  '\u2024', '\u2025', '\u2026', '\uFE52', '\uFF0E', '\u3002', '\uFF61', // dots
  '\u2215', '\u2044', '\u29F8', '\uFF0F', '\u2571', '\u29F5', '\u2216', '\uFE68', '\uFF3C', '\u2572', '\u29F9', // slashes
]);
/** Control characters and bidirectional overrides, which make a path read differently than it is. */
const INVISIBLE = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

function checkCharacters(input: string): void {
  if (input.includes('\0')) throw new ToolRefusedError('Access denied: the path contains a NUL byte');
  if (INVISIBLE.test(input)) throw new ToolRefusedError('Access denied: the path contains control or invisible characters');
  for (const ch of input) {
    if (ch.charCodeAt(0) < 0x80) continue;
    if (LOOKALIKES.has(ch) || /[./\\]/.test(ch.normalize('NFKC'))) {
      throw new ToolRefusedError(`Access denied: the path contains a look-alike character (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) for "." or "/"`);
    }
  }
}

export interface ResolvedPath {
  /** The real path to operate on: inside the jail, symlinks resolved. */
  real: string;
  /** The jail root, real path. */
  root: string;
  /** Whether something exists at `real`. */
  exists: boolean;
}

function outside(shown: string): ToolRefusedError {
  return new ToolRefusedError(`Access denied: ${shown} is outside the allowed directory`);
}

/**
 * Resolves a path the model gave against the jail: relative paths start at the jail root,
 * `..` and symlinks are resolved (the real path of the longest existing prefix, then the rest,
 * which does not exist yet and so holds no links), and the result must lie inside the jail by
 * path components. A symlink whose target does not exist is refused: writing through it
 * would create a file wherever it points.
 */
export async function resolveInJail(rootPath: string, input: string): Promise<ResolvedPath> {
  if (typeof input !== 'string') throw new ToolRefusedError('Invalid path');
  checkCharacters(input);
  const shown = input || '.';
  await fs.promises.mkdir(rootPath, { recursive: true, mode: 0o700 }).catch(() => undefined);
  let root: string;
  try {
    root = await fs.promises.realpath(rootPath);
  } catch {
    throw new ToolRefusedError(`The allowed directory ${rootPath} does not exist`);
  }
  const abs = path.resolve(root, expandTilde(input || '.'));
  // Cheap lexical check first (also keeps error messages from depending on what exists outside).
  if (!isInside(root, abs) && !isInside(rootPath, abs)) throw outside(shown);

  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await fs.promises.realpath(existing);
      const full = rest.length ? path.join(real, ...rest.reverse()) : real;
      if (!isInside(root, full)) throw outside(shown);
      return { real: full, root, exists: rest.length === 0 };
    } catch (err) {
      if (err instanceof ToolRefusedError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new ToolRefusedError(`Cannot resolve ${shown}: ${(err as Error).message}`);
      const stat = await fs.promises.lstat(existing).catch(() => null);
      if (stat?.isSymbolicLink()) throw new ToolRefusedError(`Access denied: ${shown} goes through a symbolic link whose target does not exist`);
      const parent = path.dirname(existing);
      if (parent === existing) throw outside(shown);
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

/** `fs.constants.O_NOFOLLOW` where the platform has it: never write through a link made after the check. */
export const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
