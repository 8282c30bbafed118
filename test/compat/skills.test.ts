import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../../src/skills/catalog.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { ChatSocket } from '../helpers/ws-client.js';
import { allCallers, ask, byType, type Caller } from './helpers.js';

/**
 * Skills from the data dir's `skills/` folder (spec §3.11). `~/.agents/skills` is read too; it
 * belongs to whoever runs the tests, so assertions only look at the skills made here.
 */
let s: TestServer;
let callers: Caller[];
const MINE = ['zz-pp-test-deploy', 'zz-pp-test-review', 'zz-pp-test-hidden', 'zz-pp-test-plain'];
function writeSkill(dir: string, text: string): void {
  fs.mkdirSync(path.join(s.home, 'skills', dir), { recursive: true });
  fs.writeFileSync(path.join(s.home, 'skills', dir, 'SKILL.md'), text);
}
beforeAll(async () => {
  s = await startTestServer();
  callers = await allCallers(s);
  writeSkill('deploy', '---\nname: zz-pp-test-deploy\ndescription: "Deploy the app: build, test, ship"\nargument-hint: <environment>\nallowed-tools: [shell, read_file]\n---\n\nRun the deploy script.\n');
  writeSkill('review', '---\nname: zz-pp-test-review\ndescription: >\n  Review a pull request\n  line by line.\nuser-invocable: true\n---\nReview carefully.\n');
  writeSkill('hidden', '---\nname: zz-pp-test-hidden\ndescription: Only the agent uses this\nuser-invocable: false\n---\n');
  writeSkill('zz-pp-test-plain', 'No front matter at all.\n');
  fs.mkdirSync(path.join(s.home, 'skills', 'not-a-skill'));
});
afterAll(() => s.close());
const open: ChatSocket[] = [];
afterEach(() => {
  for (const sock of open.splice(0)) sock.close();
});

const mine = (list: Array<{ name: string }>) => list.filter((x) => MINE.includes(x.name));
const EXPECTED = [
  { name: 'zz-pp-test-deploy', description: 'Deploy the app: build, test, ship', argument_hint: '<environment>' },
  { name: 'zz-pp-test-plain', description: '', argument_hint: '' },
  { name: 'zz-pp-test-review', description: 'Review a pull request line by line.', argument_hint: '' },
];

describe('skills', () => {
  it('GET /api/skills and WS get_skills: user-invocable skills from disk — under every auth mode', async () => {
    for (const c of callers) {
      for (const p of ['/api/skills', '/api/v1/skills']) {
        const res = await c.get(p);
        expect(res.status, c.name).toBe(200);
        expect(mine(res.body)).toEqual(EXPECTED);
      }
      const sock = await c.socket();
      open.push(sock);
      const f = await ask(sock, { action: 'get_skills' }, byType('skills'));
      expect(mine(f.skills)).toEqual(EXPECTED);
    }
  });

  it('re-read on every request; reload counts; remove deletes the folder', async () => {
    writeSkill('late', '---\nname: zz-pp-test-late\ndescription: Added later\n---\n');
    const before = (await s.get('/api/skills')).body.length as number;
    expect((await s.get('/api/skills')).body.map((x: { name: string }) => x.name)).toContain('zz-pp-test-late');
    expect((await s.post('/api/skills/reload')).body).toEqual({ status: 'ok', count: before });
    expect((await s.post('/api/skills/remove', { name: 'zz-pp-test-late' })).body).toEqual({ status: 'ok' });
    expect(fs.existsSync(path.join(s.home, 'skills', 'late'))).toBe(false);
    expect((await s.post('/api/v1/skills/reload')).body).toEqual({ status: 'ok', count: before - 1 });
  });

  it('remove errors: {"error"} on the legacy path, {"detail"} on v1', async () => {
    expect(await s.post('/api/skills/remove', {}).then((r) => [r.status, r.body])).toEqual([400, { error: "Missing 'name' field" }]);
    expect(await s.post('/api/skills/remove', { name: '../etc' }).then((r) => [r.status, r.body])).toEqual([400, { error: 'Invalid name format' }]);
    expect(await s.post('/api/skills/remove', { name: 'nope' }).then((r) => [r.status, r.body])).toEqual([404, { error: "Skill 'nope' not found" }]);
    expect(await s.post('/api/v1/skills/remove', { name: 'nope' }).then((r) => [r.status, r.body])).toEqual([404, { detail: "Skill 'nope' not found" }]);
  });
});

describe('SKILL.md front matter', () => {
  it('quoted, folded, literal, lists', () => {
    const { fields, body } = parseFrontMatter('---\nname: "a b"\nd: |\n  one\n  two\ntools:\n  - x\n  - y\nq: \'it\'\'s\'\n---\n\nBody text\n');
    expect(fields).toEqual({ name: 'a b', d: 'one\ntwo', tools: ['x', 'y'], q: "it's" });
    expect(body).toBe('Body text');
    expect(parseFrontMatter('no front matter')).toEqual({ fields: {}, body: 'no front matter' });
  });
});
