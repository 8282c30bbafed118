import { databasePath } from '../app/context.js';
import { loadConfig } from '../config/load.js';
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
  return { config, db, store, sessions: new SessionService(store, new SessionEvents()), close: () => db.close() };
}
