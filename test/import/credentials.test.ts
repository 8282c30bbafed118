import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/app/paths.js';
import { importPocketPaw } from '../../src/import/import.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { openDatabase } from '../../src/store/db.js';
import { copyFixture, POCKETPAW_FIXTURE, tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { pythonJson, removeTracked, track } from './pocketpaw-format.js';

const FIXTURE_TOKEN = fs.readFileSync(path.join(POCKETPAW_FIXTURE, 'access_token'), 'utf8').trim();

function newKey(): string {
  return `pp_${crypto.randomBytes(32).toString('base64url')}`;
}

/** A record exactly as PocketPaw 0.4.4 writes it in `api_keys.json`. */
function keyRecord(key: string, name: string, scopes: string[], revoked = false) {
  return {
    id: crypto.randomBytes(8).toString('hex'),
    name,
    key_hash: crypto.createHash('sha256').update(key).digest('hex'),
    prefix: key.slice(0, 12),
    scopes,
    created_at: '2026-01-20T08:00:00.123456+00:00',
    last_used_at: null,
    expires_at: null,
    revoked,
  };
}

/** The import without a server: a fresh data dir has no token yet. */
function importInto(home: string, src: string) {
  const db = openDatabase(databasePath(home));
  try {
    return importPocketPaw(src, { home, store: new SqliteSessionStore(db) });
  } finally {
    db.close();
  }
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(removeTracked);

describe('credentials come along into a fresh data dir (spec §11.9)', () => {
  it('takes over the access token and API keys, which then authenticate', async () => {
    const src = track(copyFixture());
    const sessionsKey = newKey();
    const chatOnlyKey = newKey();
    const revokedKey = newKey();
    fs.writeFileSync(path.join(src, 'api_keys.json'), pythonJson([
      keyRecord(sessionsKey, 'My script', ['chat', 'sessions']),
      keyRecord(chatOnlyKey, 'Chat bot', ['chat']),
      keyRecord(revokedKey, 'Old laptop', ['admin'], true),
    ]));
    const home = track(tempDir());

    const summary = importInto(home, src);
    expect(summary.credentials).toEqual({ token: 'imported', apiKeys: 3, problems: [] });
    const tokenFile = path.join(home, 'access_token');
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(FIXTURE_TOKEN);
    expect(mode(tokenFile)).toBe(0o600);
    expect(mode(path.join(home, 'api_keys.json'))).toBe(0o600);

    server = await startTestServer({ home });
    expect(server.token).toBe(FIXTURE_TOKEN);
    const bearer = (v: string) => ({ headers: { authorization: `Bearer ${v}` } });
    // From 127.0.0.2, so the localhost bypass cannot be what lets these in.
    expect((await server.remote('/api/v1/sessions')).status).toBe(401);
    const withToken = await server.remote('/api/v1/sessions', bearer(FIXTURE_TOKEN));
    expect(withToken.status).toBe(200);
    expect(withToken.body.total).toBe(40);
    const withKey = await server.remote('/api/v1/sessions', bearer(sessionsKey));
    expect(withKey.status).toBe(200);
    expect(withKey.body.total).toBe(40);
    expect((await server.remote(`/api/v1/sessions?token=${sessionsKey}`)).status).toBe(200);
    // Scopes and revocation came along too.
    expect((await server.remote('/api/v1/sessions', bearer(chatOnlyKey))).status).toBe(403);
    expect((await server.remote('/api/v1/sessions', bearer(revokedKey))).status).toBe(401);
    expect((await server.remote('/api/v1/sessions', bearer(newKey()))).status).toBe(401);
    // The key list shows the imported records (hashes stay private).
    const keys = await server.get('/api/v1/auth/api-keys');
    expect(keys.body.map((k: { name: string }) => k.name).sort()).toEqual(['Chat bot', 'My script', 'Old laptop']);
    expect(JSON.stringify(keys.body)).not.toContain('key_hash');
  });

  it('replaces nothing in a data dir that already has a token', async () => {
    const src = track(copyFixture());
    const theirKey = newKey();
    fs.writeFileSync(path.join(src, 'api_keys.json'), pythonJson([keyRecord(theirKey, 'Theirs', ['admin'])]));
    const home = track(tempDir());
    const ours = crypto.randomUUID();
    fs.writeFileSync(path.join(home, 'access_token'), ours, { mode: 0o600 });

    const summary = importInto(home, src);
    expect(summary.credentials).toMatchObject({ token: 'kept-existing', apiKeys: 'kept-existing' });
    expect(summary.sessionsCreated).toBe(40);
    expect(fs.readFileSync(path.join(home, 'access_token'), 'utf8').trim()).toBe(ours);
    expect(fs.existsSync(path.join(home, 'api_keys.json'))).toBe(false);

    server = await startTestServer({ home });
    expect(server.token).toBe(ours);
    const bearer = (v: string) => ({ headers: { authorization: `Bearer ${v}` } });
    expect((await server.remote('/api/v1/sessions', bearer(ours))).status).toBe(200);
    expect((await server.remote('/api/v1/sessions', bearer(FIXTURE_TOKEN))).status).toBe(401);
    expect((await server.remote('/api/v1/sessions', bearer(theirKey))).status).toBe(401);
  });

  it('keeps the running server\'s token and keys when importing into it', async () => {
    server = await startTestServer();
    const created = await server.post('/api/v1/auth/api-keys', { name: 'ours', scopes: ['sessions'] });
    expect(created.status).toBe(200);
    const src = track(copyFixture());
    fs.writeFileSync(path.join(src, 'api_keys.json'), pythonJson([keyRecord(newKey(), 'Theirs', ['admin'])]));

    const summary = server.importDir(src);
    expect(summary.credentials.token).toBe('kept-existing');
    expect(fs.readFileSync(path.join(server.home, 'access_token'), 'utf8').trim()).toBe(server.token);
    const keys = await server.get('/api/v1/auth/api-keys');
    expect(keys.body.map((k: { name: string }) => k.name)).toEqual(['ours']);
    const bearer = { headers: { authorization: `Bearer ${created.body.key}` } };
    expect((await server.remote('/api/v1/sessions', bearer)).status).toBe(200);
  });
});
