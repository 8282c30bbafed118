import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databasePath } from '../../src/app/paths.js';
import { importPocketPaw } from '../../src/import/import.js';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.js';
import { openDatabase } from '../../src/store/db.js';
import { copyFixture, tempDir } from '../helpers/pocketpaw-fixture.js';
import { expectNoStack, runCli } from './cli.js';

// Each case spawns the real CLI (about a second of startup, more on a busy machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const TELEGRAM = 'telegram_6813177364';
const RECIPES = 'websocket_ad62558b-3e30-451d-9149-6151f3204836';
const TO_DELETE = 'websocket_api_0075bba86df7';
const TO_RENAME = 'websocket_2e44158b-ae97-4a94-90ed-a82f8f6d0558';

let home: string;
let src: string;

beforeAll(() => {
  home = tempDir();
  src = copyFixture();
  const db = openDatabase(databasePath(home));
  try {
    expect(importPocketPaw(src, { home, store: new SqliteSessionStore(db) }).sessionsCreated).toBe(40);
  } finally {
    db.close();
  }
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(path.dirname(src), { recursive: true, force: true });
});

interface Listed { id: string; title: string; message_count: number; last_activity: string }

/** The store as the CLI left it, read in-process (cheaper than another CLI run). */
function stored(): { sessions: Listed[]; total: number } {
  const db = openDatabase(databasePath(home));
  try {
    const store = new SqliteSessionStore(db);
    return { sessions: store.list(500), total: store.count() };
  } finally {
    db.close();
  }
}

async function listJson(): Promise<{ sessions: Listed[]; total: number }> {
  const res = await runCli(['sessions', 'list', '--json', '--limit', '500'], home);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout);
}

describe('pocketpaw sessions', () => {
  it('list shows the imported sessions, newest first', async () => {
    const res = await runCli(['sessions', 'list'], home);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('40 of 40 sessions');
    expect(lines).toHaveLength(41);
    expect(res.stdout).toMatch(new RegExp(`${RECIPES}  Recipes 🍋`));
    expect(res.stdout).toContain(TELEGRAM);

    const limited = await runCli(['sessions', 'list', '-n', '3'], home);
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(limited.stdout).toContain('3 of 40 sessions');
  });

  it('list --json gives the sessions and total', async () => {
    const { sessions, total } = await listJson();
    expect(total).toBe(40);
    expect(sessions).toHaveLength(40);
    expect(sessions.find((x) => x.id === RECIPES)).toMatchObject({ title: 'Recipes 🍋', message_count: 18 });
    const times = sessions.map((x) => x.last_activity);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('search finds text case-insensitively', async () => {
    const res = await runCli(['sessions', 'search', 'SOURDOUGH'], home);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(TELEGRAM);
    expect(res.stdout).toMatch(/user: My sourdough keeps coming out bland/);

    const json = await runCli(['sessions', 'search', 'sourdough', '--json'], home);
    const hits = JSON.parse(json.stdout).sessions as Array<{ id: string; match: string; match_role: string; channel: string }>;
    const dir = path.join(src, 'memory', 'sessions');
    const expected = fs.readdirSync(dir)
      .filter((n) => !n.startsWith('_') && fs.readFileSync(path.join(dir, n), 'utf8').toLowerCase().includes('sourdough'))
      .map((n) => n.slice(0, -5));
    expect(expected.length).toBeGreaterThan(1);
    expect(hits.map((h) => h.id).sort()).toEqual(expected.sort());
    for (const h of hits) expect(h.match.toLowerCase()).toContain('sourdough');
    expect(hits.find((h) => h.id === TELEGRAM)).toMatchObject({ match_role: 'user', channel: 'telegram' });

    const none = await runCli(['sessions', 'search', 'zzz-no-such-text'], home);
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe('No matches.');
  });

  it('rename sets the title that list then shows', async () => {
    const res = await runCli(['sessions', 'rename', TO_RENAME, '  Vegetable garden 🥒  '], home);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Renamed');
    const { sessions } = await listJson();
    expect(sessions.find((x) => x.id === TO_RENAME)!.title).toBe('Vegetable garden 🥒');
  });

  it('rename accepts the colon form of the id', async () => {
    const res = await runCli(['sessions', 'rename', 'telegram:6813177364', 'Bread'], home);
    expect(res.code, res.stderr).toBe(0);
    expect(stored().sessions.find((x) => x.id === TELEGRAM)!.title).toBe('Bread');
  });

  it('rename with an empty title: exit 1 "Title is required", title unchanged', async () => {
    const res = await runCli(['sessions', 'rename', TO_RENAME, '   '], home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: Title is required$/m);
    expectNoStack(res.stderr);
    expect(stored().sessions.find((x) => x.id === TO_RENAME)!.title).toBe('Vegetable garden 🥒');
  });

  it('rename of an unknown session: exit 1 "Session not found"', async () => {
    const res = await runCli(['sessions', 'rename', 'websocket_nope', 'x'], home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: Session not found$/m);
    expectNoStack(res.stderr);
  });

  it('delete removes the session; list no longer shows it; deleting again is "Session not found"', async () => {
    const res = await runCli(['sessions', 'delete', TO_DELETE], home);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`Deleted ${TO_DELETE}`);
    const { sessions, total } = await listJson();
    expect(total).toBe(39);
    expect(sessions.some((x) => x.id === TO_DELETE)).toBe(false);

    const again = await runCli(['sessions', 'delete', TO_DELETE], home);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: Session not found$/m);
    expectNoStack(again.stderr);
  });

  it('delete of an unknown or reserved id: exit 1 "Session not found", nothing removed', async () => {
    for (const id of ['websocket_unknown', '_index']) {
      const res = await runCli(['sessions', 'delete', id], home);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^Error: Session not found$/m);
      expectNoStack(res.stderr);
    }
    expect(stored().total).toBe(39);
  });

  it('export --format json -o file writes the session as valid JSON', async () => {
    const out = path.join(home, 'export.json');
    const res = await runCli(['sessions', 'export', RECIPES, '--format', 'json', '-o', out], home);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    const file = JSON.parse(fs.readFileSync(path.join(src, 'memory', 'sessions', `${RECIPES}.json`), 'utf8')) as Array<{ id: string; content: string }>;
    expect(doc).toMatchObject({ export_version: '1.0', session_id: RECIPES, message_count: file.length });
    expect(doc.exported_at).toMatch(/\+00:00$/);
    expect(doc.messages.map((m: { id: string; content: string }) => [m.id, m.content])).toEqual(file.map((m) => [m.id, m.content]));
  });

  it('export as Markdown (the default) prints the conversation', async () => {
    const res = await runCli(['sessions', 'export', TELEGRAM], home);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe('# Conversation Export');
    expect(res.stdout).toContain(`**Session**: \`${TELEGRAM}\``);
    expect(res.stdout).toMatch(/\*\*User\*\* \(\d\d:\d\d\):\nMy sourdough keeps coming out bland/);
    expect(res.stdout).toMatch(/^# Conversation Export\n\*\*Session\*\*: `telegram_6813177364` \| \*\*Messages\*\*: 2 \| \*\*Exported\*\*: \d{4}-\d\d-\d\d \d\d:\d\d\n\n---\n/);
  });

  it('export errors: unknown session, bad format', async () => {
    const unknown = await runCli(['sessions', 'export', TO_DELETE], home);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(new RegExp(`^Error: Session not found: ${TO_DELETE}$`, 'm'));
    expectNoStack(unknown.stderr);
    const format = await runCli(['sessions', 'export', TELEGRAM, '--format', 'pdf'], home);
    expect(format.code).toBe(1);
    expect(format.stderr).toMatch(/^Error: Format must be 'json' or 'md'$/m);
  });
});
