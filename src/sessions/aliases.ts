import type Database from 'better-sqlite3';

/**
 * Spec §7.1: a chat's base key (`websocket:<uuid>`, `cli:<id>`) may point at another session
 * key after `/new` or `/resume`; turns on the base key then read and write the target.
 */
export class SessionAliases {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      get: db.prepare('SELECT target_key FROM session_aliases WHERE base_key = ?').pluck(),
      set: db.prepare('INSERT INTO session_aliases (base_key, target_key) VALUES (?, ?) ON CONFLICT (base_key) DO UPDATE SET target_key = excluded.target_key'),
      clear: db.prepare('DELETE FROM session_aliases WHERE base_key = ?'),
    };
  }

  resolve(baseKey: string): string {
    return (this.stmts.get.get(baseKey) as string | undefined) ?? baseKey;
  }

  set(baseKey: string, targetKey: string): void {
    if (targetKey === baseKey) this.stmts.clear.run(baseKey);
    else this.stmts.set.run(baseKey, targetKey);
  }

  clear(baseKey: string): void {
    this.stmts.clear.run(baseKey);
  }
}
