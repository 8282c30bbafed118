import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { databasePath } from '../../src/app/paths.js';
import { importPocketPaw } from '../../src/import/import.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { openDatabase } from '../../src/store/db.js';
import { copyFixture, POCKETPAW_FIXTURE, tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer } from '../helpers/server.js';

function importInto(home: string, src: string) {
  const db = openDatabase(databasePath(home));
  try {
    return importPocketPaw(src, { home, store: new SqliteSessionStore(db) });
  } finally {
    db.close();
  }
}

describe('pocketpaw import brings the MCP servers along', () => {
  it('copies mcp_servers.json (mode 600, env and unknown fields kept); a second run adds nothing; our servers of the same name stay', () => {
    const src = copyFixture();
    const home = tempDir();
    const first = importInto(home, src);
    expect(first.mcp).toEqual({ imported: ['filesystem', 'github', 'linear'], kept: [], problems: [] });
    const file = path.join(home, 'mcp_servers.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const theirs = JSON.parse(fs.readFileSync(path.join(POCKETPAW_FIXTURE, 'mcp_servers.json'), 'utf8'));
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(theirs);
    expect(importInto(home, src).mcp).toEqual({ imported: [], kept: ['filesystem', 'github', 'linear'], problems: [] });

    const other = tempDir();
    fs.writeFileSync(path.join(other, 'mcp_servers.json'), JSON.stringify({ servers: [{ name: 'github', transport: 'stdio', command: 'mine' }] }));
    expect(importInto(other, src).mcp).toMatchObject({ imported: ['filesystem', 'linear'], kept: ['github'] });
    const merged = JSON.parse(fs.readFileSync(path.join(other, 'mcp_servers.json'), 'utf8'));
    expect(merged.servers.find((s: { name: string }) => s.name === 'github').command).toBe('mine');
    for (const d of [home, other, path.dirname(src)]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a running server shows the imported servers in its status', async () => {
    const s = await startTestServer();
    try {
      s.importDir(copyFixture());
      const status = (await s.get('/api/v1/mcp/status')).body as Record<string, any>;
      expect(Object.keys(status)).toEqual(['filesystem', 'github', 'linear']);
      expect(status.github).toMatchObject({ enabled: false, connected: false, registry_ref: 'io.github.github/github-mcp-server' });
      expect(status.linear).toMatchObject({ transport: 'streamable-http', enabled: false });
    } finally {
      await s.close();
    }
  });
});
