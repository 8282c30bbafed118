import fs from 'node:fs';
import { databasePath } from '../app/paths.js';
import { MasterToken } from '../auth/master-token.js';
import { loadConfig } from '../config/load.js';
import { SECRET_SETTINGS } from '../config/settings.js';
import { SecretValues, secretSettingValues } from '../security/secret-values.js';
import { SessionEvents } from '../sessions/events.js';
import { SessionService } from '../sessions/service.js';
import { SqliteSessionStore } from '../sessions/sqlite-store.js';
import { openDatabase } from '../store/db.js';

/**
 * The session store without the server: for CLI commands, which may run beside a live server
 * (SQLite's WAL and busy timeout make that safe). Does not create the access token.
 */
export function openSessionsForCli() {
  const config = loadConfig();
  const db = openDatabase(databasePath(config.home));
  const store = new SqliteSessionStore(db);
  // What the CLI prints (list, search, export) is redacted like the server's output, with the
  // same exact values: the master token (read, never created here) and the saved keys.
  const secrets = new SecretValues([
    () => {
      try {
        return [fs.readFileSync(MasterToken.pathIn(config.home), 'utf8')];
      } catch {
        return [];
      }
    },
    () => secretSettingValues(config.settings as unknown as Record<string, unknown>, SECRET_SETTINGS),
  ]);
  return { config, db, store, sessions: new SessionService(store, new SessionEvents(), secrets), close: () => db.close() };
}
