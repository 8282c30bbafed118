import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Spec §3.16: a directory listing inside the file jail. */
export interface BrowseEntry {
  name: string;
  isDir: boolean;
  /** `""` for directories. */
  size: string;
}

export type BrowseResult =
  | { ok: true; path: string; files: BrowseEntry[] }
  | { ok: false; path: string; error: string };

export const MAX_ENTRIES = 50;

export const BROWSE_ERRORS = {
  outside: 'Access denied: path outside allowed directory',
  missing: 'Path does not exist',
  notDir: 'Not a directory',
  /** A FIFO, socket or device: never opened, never listed into. */
  special: 'Not a regular file or directory (a FIFO, socket or device)',
  denied: 'Permission denied',
} as const;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** `~` or empty → home; `~/x` → under home; relative → under home; absolute as is. */
export function resolveRequested(requested: string, home: string): string {
  const p = requested.trim();
  if (p === '' || p === '~') return home;
  if (p.startsWith('~/')) return path.resolve(home, p.slice(2));
  return path.resolve(home, p);
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** Inside by path components (spec §10 item 12): `/home/a` does not contain `/home/ab`. */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel) && rel.split(path.sep)[0] !== '..');
}

export function displayPath(p: string, home: string): string {
  if (p === home) return '~';
  return isInside(p, home) ? `~/${path.relative(home, p)}` : p;
}

/** Code-point order of the lower-cased names, as Python's `sorted(key=str.lower)`. */
function byLowerName(a: BrowseEntry, b: BrowseEntry): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Lists `requested` if it resolves (symlinks and `..` followed) inside `jail`. Never throws. */
export function browse(requested: string, jail: string, home = os.homedir()): BrowseResult {
  const asked = requested;
  const target = realOrResolved(resolveRequested(requested, home));
  // The jail setting is read like a requested path: `~/x` and an empty value (home) work too.
  if (!isInside(target, realOrResolved(resolveRequested(jail, home)))) return { ok: false, path: asked, error: BROWSE_ERRORS.outside };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, path: asked, error: code === 'EACCES' ? BROWSE_ERRORS.denied : BROWSE_ERRORS.missing };
  }
  if (stat.isFIFO() || stat.isSocket() || stat.isCharacterDevice() || stat.isBlockDevice()) {
    return { ok: false, path: asked, error: BROWSE_ERRORS.special };
  }
  if (!stat.isDirectory()) return { ok: false, path: asked, error: BROWSE_ERRORS.notDir };
  let dirents: fs.Dirent[];
  try {
    dirents = fs.readdirSync(target, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, path: asked, error: code === 'ENOENT' ? BROWSE_ERRORS.missing : BROWSE_ERRORS.denied };
  }
  const files = dirents
    .filter((d) => !d.name.startsWith('.'))
    .map((d): BrowseEntry => {
      try {
        // stat never opens the entry, so a FIFO here cannot block; special files get no size.
        const s = fs.statSync(path.join(target, d.name));
        if (s.isDirectory()) return { name: d.name, isDir: true, size: '' };
        return { name: d.name, isDir: false, size: s.isFile() ? formatSize(s.size) : '' };
      } catch {
        return { name: d.name, isDir: d.isDirectory(), size: d.isDirectory() ? '' : '?' };
      }
    })
    .sort((a, b) => (a.isDir === b.isDir ? byLowerName(a, b) : a.isDir ? -1 : 1))
    .slice(0, MAX_ENTRIES);
  return { ok: true, path: displayPath(target, home), files };
}

/** The text the dashboard's `fetch` / `navigate` tools show (spec §4.3). */
export function listingText(result: BrowseResult): string {
  if (!result.ok) return `❌ ${result.error}: ${result.path || '~'}`;
  const lines = [`📁 ${result.path}`, ''];
  if (result.files.length === 0) lines.push('(empty)');
  for (const f of result.files) lines.push(f.isDir ? `📁 ${f.name}/` : `📄 ${f.name} (${f.size})`);
  return lines.join('\n');
}
