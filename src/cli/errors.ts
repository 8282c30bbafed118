import path from 'node:path';
import { resolveHome } from '../config/load.js';
import { databasePath } from '../app/paths.js';

/** A mistake on the command line; shown as one line, without a stack trace. */
export class UsageError extends Error {}

/** File-system failures a user can fix, in words. */
const FS_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory where a file belongs',
  EEXIST: 'a file is in the way',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
};

/** SQLite's own codes for the same kind of trouble (better-sqlite3 reports no path). */
const SQLITE_PROBLEMS: Record<string, string> = {
  SQLITE_READONLY: 'the database is read-only',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
  SQLITE_FULL: 'no space left on the device',
  SQLITE_PERM: 'permission denied',
};

const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_CANTOPEN']);

function inside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * A file-system (or SQLite) failure as one sentence that names the path, the problem and the fix;
 * null when `err` is not such a failure. `home` is the data dir (POCKETPAW_HOME or ~/.pocketpaw).
 */
export function describeFsError(err: unknown, home = resolveHome()): string | null {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const sqlite = code.startsWith('SQLITE_') ? (SQLITE_PROBLEMS[code] ?? (code.startsWith('SQLITE_IOERR') ? 'a disk I/O error' : undefined)) : undefined;
  const why = FS_PROBLEMS[code] ?? sqlite;
  if (!why) return null;
  const where = e?.path ? path.resolve(e.path) : sqlite ? databasePath(home) : home;
  const full = code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
  // The data dir, or the agent's workspace beside it (`<home>-workspace`).
  const ours = inside(home, where) || inside(`${home}-workspace`, where) || inside(where, home);
  if (!ours) {
    return `Cannot use ${where}: ${why} (${code}).${full ? ' Free some space and try again.' : ' Choose another path, or fix its permissions.'}`;
  }
  const subject = where === home ? `the data directory ${home}` : `${where} (in the data directory ${home})`;
  let fix: string;
  if (full) fix = 'Free some space and try again.';
  else if (PERMISSION_CODES.has(code)) {
    fix = `Make it writable for this user (e.g. \`sudo chown -R "$USER" ${home}\`), or set POCKETPAW_HOME to a directory you own.`;
  } else fix = 'Move what is in the way aside, or set POCKETPAW_HOME to another directory.';
  return `Cannot write to ${subject}: ${why} (${code}). ${fix}`;
}
