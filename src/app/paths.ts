import path from 'node:path';

/**
 * Where the database lives in a data dir. Its own module so the CLI's light commands
 * (`sessions list`) and error messages need not load the whole app context (issue 14).
 */
export function databasePath(home: string): string {
  return path.join(home, 'pocketpaw.db');
}
