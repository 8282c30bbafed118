import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { auditLines } from '../tools/helpers.js';
import { bareRepo, skillMd, startFileServer, tarGz, tempFolder, writeTree, zip, type FileServer, type FixtureEntry } from './fixtures.js';

/**
 * POST /api/skills/install (spec §3.11) from a folder, a git URL, PocketPaw's owner/repo form and
 * archives over HTTP, through a real server; `dry_run` previews. Everything is installed into the
 * data dir's `skills/` (never `~/.agents/skills`).
 */
let s: TestServer;
let files: FileServer;
let fixtures: string;
const skillsDir = () => path.join(s.home, 'skills');
/** Everything in the skills folder, hidden names too (a half-done install would show here). */
const onDisk = () => (fs.existsSync(skillsDir()) ? fs.readdirSync(skillsDir()).sort() : []);
const stagingLeft = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('pocketpaw-skill-'));
const install = (body: unknown, prefix = '/api/v1') => s.post(`${prefix}/skills/install`, body);

const TWO_SKILLS: FixtureEntry[] = [
  { path: 'deploy/SKILL.md', text: skillMd('zz-deploy', 'Deploy the app', 'Run ./scripts/deploy.sh $ARGUMENTS') },
  { path: 'deploy/scripts/deploy.sh', text: '#!/bin/sh\necho deploy\n', mode: 0o755 },
  { path: 'deploy/docs/readme.md', text: 'see the script' },
  { path: 'deploy/latest', link: 'scripts/deploy.sh' },
  { path: 'skills/review/SKILL.md', text: skillMd('zz-review', 'Review a change') },
  { path: 'README.md', text: 'not a skill' },
  { path: 'notes/todo.txt', text: 'not a skill either' },
];

beforeAll(async () => {
  fixtures = tempFolder('fixtures');
  // PocketPaw's owner/repo form clones https://github.com/<owner>/<repo>; git's own insteadOf
  // (from the environment, which the clone inherits) points that at a local bare repository.
  bareRepo(path.join(fixtures, 'gh', 'acme'), 'tools', TWO_SKILLS);
  process.env.GIT_CONFIG_COUNT = '1';
  process.env.GIT_CONFIG_KEY_0 = `url.file://${path.join(fixtures, 'gh')}/.insteadOf`;
  process.env.GIT_CONFIG_VALUE_0 = 'https://github.com/';
  s = await startTestServer();
  files = await startFileServer();
});
afterAll(async () => {
  await s.close();
  await files.close();
  fs.rmSync(fixtures, { recursive: true, force: true });
  delete process.env.GIT_CONFIG_COUNT;
});

describe('install from a folder, with a preview first', () => {
  it('dry_run shows name, description, files and size, and writes nothing; the install then copies both skills', async () => {
    const src = path.join(fixtures, 'folder');
    writeTree(src, TWO_SKILLS);
    const preview = await install({ source: src, dry_run: true });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body).toEqual({
      status: 'preview', source: src, kind: 'folder',
      skills: [
        {
          name: 'zz-deploy', dir: 'deploy', description: 'Deploy the app', argument_hint: '', user_invocable: true, allowed_tools: [],
          files: ['SKILL.md', 'docs/readme.md', 'latest', 'scripts/deploy.sh'], file_count: 4,
          size: Buffer.byteLength(skillMd('zz-deploy', 'Deploy the app', 'Run ./scripts/deploy.sh $ARGUMENTS')) + 'see the script'.length + '#!/bin/sh\necho deploy\n'.length,
          replaces: false,
        },
        {
          name: 'zz-review', dir: 'review', description: 'Review a change', argument_hint: '', user_invocable: true, allowed_tools: [],
          files: ['SKILL.md'], file_count: 1, size: Buffer.byteLength(skillMd('zz-review', 'Review a change')), replaces: false,
        },
      ],
    });
    expect(onDisk()).toEqual([]);
    expect((await s.get('/api/skills')).body.map((x: { name: string }) => x.name)).not.toContain('zz-deploy');

    const res = await install({ source: src }, '/api');
    expect([res.status, res.body]).toEqual([200, { status: 'ok', installed: ['deploy', 'review'] }]);
    expect(onDisk()).toEqual(['deploy', 'review']);
    const dir = path.join(skillsDir(), 'deploy');
    expect(fs.statSync(path.join(dir, 'scripts', 'deploy.sh')).mode & 0o777).toBe(0o755);
    expect(fs.readlinkSync(path.join(dir, 'latest'))).toBe('scripts/deploy.sh');
    const listed = (await s.get('/api/v1/skills')).body.map((x: { name: string }) => x.name);
    expect(listed).toEqual(expect.arrayContaining(['zz-deploy', 'zz-review']));
    expect(auditLines(s.home).find((e) => e.action === 'skill_install' && e.status === 'success')).toMatchObject({
      target: src, severity: 'warning', context: { kind: 'folder', installed: ['deploy', 'review'] },
    });

    // Again: the preview says it replaces; the install replaces the folder (old files gone).
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'old');
    expect((await install({ source: src, skill: 'deploy', dry_run: true })).body.skills.map((x: { replaces: boolean }) => x.replaces)).toEqual([true]);
    expect((await install({ source: src, skill: 'deploy' })).body).toEqual({ status: 'ok', installed: ['deploy'] });
    expect(fs.existsSync(path.join(dir, 'stale.txt'))).toBe(false);
    expect(onDisk()).toEqual(['deploy', 'review']);
    expect(stagingLeft()).toEqual([]);
  });

  it('a folder that is itself a skill installs under its folder name; a link out of it is refused', async () => {
    const single = path.join(fixtures, 'solo-skill');
    writeTree(single, [{ path: 'SKILL.md', text: skillMd('zz-solo', 'Alone') }]);
    expect((await install({ source: single })).body).toEqual({ status: 'ok', installed: ['solo-skill'] });

    const escaping = path.join(fixtures, 'escaping');
    writeTree(escaping, [{ path: 'leak/SKILL.md', text: skillMd('zz-leak', 'Leaks') }, { path: 'leak/passwd', link: '../../../../../../etc/passwd' }]);
    const before = onDisk();
    for (const dryRun of [true, false]) {
      const res = await install({ source: escaping, dry_run: dryRun });
      expect([res.status, res.body]).toEqual([400, { detail: "Refused: Skill 'leak' has a symbolic link pointing out of its folder (passwd -> ../../../../../../etc/passwd); nothing was installed" }]);
    }
    const absolute = path.join(fixtures, 'absolute');
    writeTree(absolute, [{ path: 'abs/SKILL.md', text: skillMd('zz-abs', 'Abs') }, { path: 'abs/inside', link: path.join(absolute, 'abs', 'SKILL.md') }]);
    expect((await install({ source: absolute })).body.detail).toMatch(/^Refused: Skill 'abs' has a symbolic link pointing out of its folder/);
    expect(onDisk()).toEqual(before);
    expect(auditLines(s.home).some((e) => e.action === 'skill_install' && e.status === 'block' && e.target === escaping)).toBe(true);
  });

  it('unsafe folder names, missing folders and folders without skills', async () => {
    const bad = path.join(fixtures, 'badname');
    writeTree(bad, [{ path: 'bad name/SKILL.md', text: skillMd('zz-bad', 'Bad') }, { path: 'ok/SKILL.md', text: skillMd('zz-ok', 'Ok') }]);
    expect(await install({ source: bad }).then((r) => [r.status, r.body])).toEqual([400, { detail: "Unsafe skill folder name 'bad name' (use letters, digits, '.', '_' and '-')" }]);
    expect(await install({ source: path.join(fixtures, 'nope') }, '/api').then((r) => [r.status, r.body])).toEqual([404, { error: `Folder not found: ${path.join(fixtures, 'nope')}` }]);
    const empty = path.join(fixtures, 'empty');
    writeTree(empty, [{ path: 'a/readme.md', text: 'x' }, { path: 'b/readme.md', text: 'y' }]);
    expect(await install({ source: empty }).then((r) => [r.status, r.body])).toEqual([404, { detail: `No SKILL.md found for '${empty}'` }]);
    expect(fs.existsSync(path.join(skillsDir(), 'ok'))).toBe(false);
  });
});

describe('install from git', () => {
  it('any git URL (a local bare repository over file://), one skill picked with "skill"', async () => {
    const bare = bareRepo(path.join(fixtures, 'git'), 'pack', [
      { path: 'skills/lint/SKILL.md', text: skillMd('zz-lint', 'Lint the code') },
      { path: 'skills/format/SKILL.md', text: skillMd('zz-format', 'Format the code') },
    ]);
    const preview = await install({ source: `file://${bare}`, dry_run: true });
    expect(preview.body.skills.map((x: { dir: string }) => x.dir)).toEqual(['format', 'lint']);
    expect(preview.body.kind).toBe('git');
    expect(fs.existsSync(path.join(skillsDir(), 'lint'))).toBe(false);
    expect((await install({ source: `file://${bare}`, skill: 'lint' })).body).toEqual({ status: 'ok', installed: ['lint'] });
    expect(fs.readFileSync(path.join(skillsDir(), 'lint', 'SKILL.md'), 'utf8')).toContain('zz-lint');
    expect(fs.existsSync(path.join(skillsDir(), 'lint', '.git'))).toBe(false);
    expect(fs.existsSync(path.join(skillsDir(), 'format'))).toBe(false);
    expect(await install({ source: `file://${bare}`, skill: 'nope' }).then((r) => [r.status, r.body])).toEqual([404, { detail: "No SKILL.md found for 'nope'" }]);
  });

  it('a repository whose root is a skill installs under the repository name; a link out of the repo is refused', async () => {
    const root = bareRepo(path.join(fixtures, 'git'), 'standalone', [{ path: 'SKILL.md', text: skillMd('zz-standalone', 'Root skill') }]);
    expect((await install({ source: `file://${root}` })).body).toEqual({ status: 'ok', installed: ['standalone'] });
    const evil = bareRepo(path.join(fixtures, 'git'), 'evil', [{ path: 'x/SKILL.md', text: skillMd('zz-x', 'X') }, { path: 'x/key', link: '../../../.ssh/id_rsa' }]);
    const res = await install({ source: `file://${evil}` });
    expect([res.status, res.body.detail]).toEqual([400, "Refused: Skill 'x' has a symbolic link pointing out of its folder (key -> ../../../.ssh/id_rsa); nothing was installed"]);
    expect(fs.existsSync(path.join(skillsDir(), 'x'))).toBe(false);
  });

  it("PocketPaw's owner/repo[/skill] clones https://github.com/<owner>/<repo>", async () => {
    expect((await install({ source: 'acme/tools/review' }, '/api')).body).toEqual({ status: 'ok', installed: ['review'] });
    const preview = await install({ source: 'acme/tools', dry_run: true });
    expect(preview.body).toMatchObject({ status: 'preview', source: 'acme/tools', kind: 'github' });
    expect(preview.body.skills.map((x: { dir: string; replaces: boolean }) => [x.dir, x.replaces])).toEqual([['deploy', true], ['review', true]]);
    const missing = await install({ source: 'acme/missing' }, '/api');
    expect(missing.status).toBe(500);
    expect(missing.body.error).toMatch(/^Clone failed: /);
  });

  it("PocketPaw's source errors, legacy and v1 shapes", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, "Missing 'source' field"],
      [{ source: '  ' }, 400, "Missing 'source' field"],
      [{ source: 'a/../b' }, 400, 'Invalid source format'],
      [{ source: 'a/b;rm' }, 400, 'Invalid source format'],
      [{ source: 'a|b/c' }, 400, 'Invalid source format'],
      [{ source: 'justone' }, 400, 'Source must be owner/repo or owner/repo/skill'],
      [{ source: 'a/b/c/d' }, 400, 'Source must be owner/repo or owner/repo/skill'],
      [{ source: '-a/b' }, 400, 'Invalid owner format'],
      [{ source: 'a/b c' }, 400, 'Invalid repo format'],
      [{ source: 'a/b/c d' }, 400, 'Invalid skill name format'],
      [{ source: 'ext::sh -c touch% /tmp/pwned' }, 400, 'Invalid owner format'],
      [{ source: 'ftp://example.com/x' }, 400, 'Unsupported source URL scheme: ftp'],
      [{ source: '/tmp/../etc' }, 400, 'Invalid source format'],
    ];
    for (const [body, status, message] of cases) {
      expect(await install(body, '/api').then((r) => [r.status, r.body]), JSON.stringify(body)).toEqual([status, { error: message }]);
      expect(await install(body).then((r) => [r.status, r.body]), JSON.stringify(body)).toEqual([status, { detail: message }]);
    }
    expect(await install([1]).then((r) => r.status)).toBe(400);
  });
});

describe('install from an archive URL', () => {
  const WRAPPED: FixtureEntry[] = [
    { path: 'pack-main/', dir: true },
    { path: 'pack-main/skills/tar-skill/SKILL.md', text: skillMd('zz-tar', 'From an archive') },
    { path: 'pack-main/skills/tar-skill/run.sh', text: 'echo hi\n', mode: 0o755 },
    { path: 'pack-main/skills/tar-skill/here', link: './run.sh' },
  ];

  it('.tar.gz / .tgz / .zip over http, the wrapping folder looked into; preview first', async () => {
    files.set('/pack.tar.gz', { body: tarGz(WRAPPED) });
    files.set('/pack.tgz', { body: tarGz(WRAPPED) });
    files.set('/pack.zip', { body: zip(WRAPPED) });
    for (const name of ['pack.tar.gz', 'pack.tgz', 'pack.zip']) {
      fs.rmSync(path.join(skillsDir(), 'tar-skill'), { recursive: true, force: true });
      const url = `${files.url}/${name}`;
      const preview = await install({ source: url, dry_run: true });
      expect(preview.body, name).toEqual({
        status: 'preview', source: url, kind: 'archive',
        skills: [{ name: 'zz-tar', dir: 'tar-skill', description: 'From an archive', argument_hint: '', user_invocable: true, allowed_tools: [], files: ['SKILL.md', 'here', 'run.sh'], file_count: 3, size: Buffer.byteLength(skillMd('zz-tar', 'From an archive')) + 8, replaces: false }],
      });
      expect(fs.existsSync(path.join(skillsDir(), 'tar-skill'))).toBe(false);
      expect((await install({ source: url })).body, name).toEqual({ status: 'ok', installed: ['tar-skill'] });
      const dir = path.join(skillsDir(), 'tar-skill');
      expect(fs.readFileSync(path.join(dir, 'run.sh'), 'utf8')).toBe('echo hi\n');
      expect(fs.statSync(path.join(dir, 'run.sh')).mode & 0o777).toBe(0o755);
      expect(fs.readlinkSync(path.join(dir, 'here'))).toBe('./run.sh');
    }
    expect(stagingLeft()).toEqual([]);
  });

  const EVIL: Array<[string, FixtureEntry[], RegExp]> = [
    ['dotdot', [{ path: 'ok/SKILL.md', text: skillMd('zz-ok', 'ok') }, { path: '../../escaped.txt', text: 'pwned' }], /^Refused: archive entry outside its folder \(\.\.\/\.\.\/escaped\.txt\)/],
    ['nested-dotdot', [{ path: 'ok/../../escaped.txt', text: 'pwned' }, { path: 'ok/SKILL.md', text: skillMd('zz-ok', 'ok') }], /^Refused: archive entry outside its folder/],
    ['absolute', [{ path: 'ok/SKILL.md', text: skillMd('zz-ok', 'ok') }, { path: '/tmp/pp-escaped-abs.txt', text: 'pwned' }], /^Refused: archive entry with an absolute path \(\/tmp\/pp-escaped-abs\.txt\)/],
    ['link-out', [{ path: 'ok/SKILL.md', text: skillMd('zz-ok', 'ok') }, { path: 'ok/etc', link: '../../../../../../../etc' }], /^Refused: Skill 'ok' has a symbolic link pointing out of its folder \(etc -> /],
    ['link-abs', [{ path: 'ok/SKILL.md', text: skillMd('zz-ok', 'ok') }, { path: 'ok/etc', link: '/etc' }], /^Refused: Skill 'ok' has a symbolic link pointing out of its folder \(etc -> \/etc\)/],
    ['conflict', [{ path: 'ok/SKILL.md', text: skillMd('zz-ok', 'ok') }, { path: 'ok/x', text: 'a file' }, { path: 'ok/x/y', text: 'under a file' }], /^Refused: archive entries that do not fit together/],
    ['write-through-link', [{ path: 'ok/SKILL.md', text: skillMd('zz-ok', 'ok') }, { path: 'ok/out', link: '/tmp' }, { path: 'ok/out/pp-escaped-link.txt', text: 'pwned' }], /^Refused: archive entry inside a symbolic link \(ok\/out\/pp-escaped-link\.txt\)/],
  ];

  it('path traversal, absolute paths and links out of the folder are refused, in .tar.gz and .zip, leaving nothing behind', async () => {
    const before = onDisk();
    for (const [name, entries, message] of EVIL) {
      for (const [ext, pack] of [['tar.gz', tarGz], ['zip', zip]] as const) {
        files.set(`/${name}.${ext}`, { body: pack(entries) });
        for (const dryRun of [true, false]) {
          const res = await install({ source: `${files.url}/${name}.${ext}`, dry_run: dryRun });
          expect(res.status, `${name}.${ext}`).toBe(400);
          expect(res.body.detail, `${name}.${ext}`).toMatch(message);
          expect(res.body.detail).toMatch(/nothing was installed$/);
        }
      }
    }
    expect(onDisk()).toEqual(before);
    expect(fs.existsSync(path.join(s.home, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(os.tmpdir(), 'escaped.txt'))).toBe(false);
    expect(fs.existsSync('/tmp/pp-escaped-abs.txt')).toBe(false);
    expect(fs.existsSync('/tmp/pp-escaped-link.txt')).toBe(false);
    expect(stagingLeft()).toEqual([]);
    expect(auditLines(s.home).filter((e) => e.action === 'skill_install' && e.status === 'block').length).toBeGreaterThanOrEqual(EVIL.length * 2);
  });

  it('oversize archives, broken archives and failed downloads', async () => {
    files.set('/huge.tar.gz', { body: Buffer.alloc(21 * 1024 * 1024) });
    expect(await install({ source: `${files.url}/huge.tar.gz` }).then((r) => [r.status, r.body])).toEqual([413, { detail: 'Archive is larger than 20 MB' }]);
    files.set('/bomb.tar.gz', { body: zlibBomb() });
    expect(await install({ source: `${files.url}/bomb.tar.gz` }).then((r) => [r.status, r.body])).toEqual([413, { detail: 'Archive unpacks to more than 50 MB' }]);
    files.set('/junk.zip', { body: 'not a zip' });
    const junk = await install({ source: `${files.url}/junk.zip` });
    expect(junk.status).toBe(400);
    expect(junk.body.detail).toMatch(/^Not a valid \.zip archive: /);
    expect(await install({ source: `${files.url}/missing.tgz` }).then((r) => [r.status, r.body])).toEqual([502, { detail: 'Download failed: HTTP 404' }]);
    expect(onDisk()).not.toContain('a');
  });
});

describe('scopes', () => {
  it('install needs admin (also to preview); search and the list need chat', async () => {
    const chatKey = await createKey(s, { name: 'chat only', scopes: ['chat', 'sessions', 'settings:read', 'settings:write', 'memory'] });
    for (const p of ['/api/skills/install', '/api/v1/skills/install']) {
      for (const body of [{ source: path.join(fixtures, 'folder') }, { source: path.join(fixtures, 'folder'), dry_run: true }]) {
        const res = await s.remote(p, { method: 'POST', json: body, headers: bearer(chatKey.key) });
        expect([res.status, res.body]).toEqual([403, { detail: 'API key missing required scope: admin' }]);
      }
    }
    expect((await s.remote('/api/v1/skills', { headers: bearer(chatKey.key) })).status).toBe(200);
    expect((await s.remote('/api/v1/skills/search?q=', { headers: bearer(chatKey.key) })).body).toEqual({ skills: [], count: 0 });
    const adminKey = await createKey(s, { name: 'admin', scopes: ['admin'] });
    const ok = await s.remote('/api/v1/skills/install', { method: 'POST', json: { source: path.join(fixtures, 'folder'), dry_run: true }, headers: bearer(adminKey.key) });
    expect(ok.status).toBe(200);
  });
});

/** gzip of a tar whose one file is 60 MB of zeros: a few tens of KB on the wire. */
function zlibBomb(): Buffer {
  const size = 60 * 1024 * 1024;
  return tarGz([{ path: 'a/SKILL.md', text: skillMd('zz-a', 'a') }, { path: 'a/zeros', text: '\0'.repeat(size) }]);
}
