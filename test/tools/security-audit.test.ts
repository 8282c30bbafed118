import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT, runCli } from '../cli/cli.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const LABELS = ['Config file permissions', 'Plaintext API keys', 'Audit log', 'Guardian agent', 'File jail', 'Tool profile', 'Bypass permissions', 'Shell sandbox', 'Browser access', 'Approvals'];

const mode = (f: string) => fs.statSync(f).mode & 0o777;

describe('pocketpaw security-audit', () => {
  const homes: string[] = [];
  const home = () => {
    const h = tempDir();
    homes.push(h);
    return h;
  };
  afterAll(() => {
    for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
  });

  it('exits 1 while a problem remains; --fix repairs what it can and exits 0', async () => {
    const h = home();
    let res = await runCli(['security-audit'], h);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toContain('POCKETPAW SECURITY AUDIT');
    expect(res.stdout).toMatch(/\[WARN\] Audit log: Audit log missing: .*audit\.jsonl \(fixable with --fix\)/);
    expect(res.stdout).toMatch(/\[WARN\] File jail: File jail path does not exist: .*workspace \(fixable with --fix\)/);
    expect(res.stdout).toContain('8/10 checks passed');

    res = await runCli(['security-audit', '--fix'], h);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/\[FIXED\] Audit log/);
    expect(res.stdout).toMatch(/\[FIXED\] File jail/);
    expect(res.stdout).toContain('10/10 checks passed, 2 auto-fixed');
    expect(mode(path.join(h, 'audit.jsonl'))).toBe(0o600);
    expect(mode(`${h}-workspace`)).toBe(0o700);
  }, 2 * CLI_TIMEOUT);

  it('--fix tightens permissions but cannot fix plaintext keys, so the exit stays 1; --json gives the report', async () => {
    const h = home();
    fs.chmodSync(h, 0o755);
    fs.writeFileSync(path.join(h, 'config.json'), JSON.stringify({ openai_api_key: 'sk-plain-text-key-1234567890', web_port: 9999 }), { mode: 0o644 });
    fs.writeFileSync(path.join(h, 'access_token'), 'short', { mode: 0o644 });
    fs.writeFileSync(path.join(h, 'audit.jsonl'), '', { mode: 0o600 });

    const res = await runCli(['security-audit', '--fix', '--json'], h);
    expect(res.code, res.stderr).toBe(1);
    const report = JSON.parse(res.stdout);
    expect(report.results.map((r: { check: string }) => r.check)).toEqual(LABELS);
    expect(report).toMatchObject({ total: 10, passed: 9, issues: 1, fixed: ['Config file permissions', 'File jail'] });
    const plain = report.results[1];
    expect(plain).toMatchObject({ check: 'Plaintext API keys', passed: false, fixable: false });
    expect(plain.message).toContain('openai_api_key');
    expect(plain.message).toContain('access token is weak');
    expect(mode(h)).toBe(0o700);
    expect(mode(path.join(h, 'config.json'))).toBe(0o600);
    expect(mode(path.join(h, 'access_token'))).toBe(0o600);
  }, CLI_TIMEOUT);

  it('flags shell tools on a network bind', async () => {
    const h = home();
    fs.writeFileSync(path.join(h, 'audit.jsonl'), '', { mode: 0o600 });
    fs.mkdirSync(`${h}-workspace`, { mode: 0o700 });
    const res = await runCli(['security-audit', '--json'], h, { POCKETPAW_WEB_HOST: '0.0.0.0' });
    expect(res.code).toBe(1);
    const byLabel = Object.fromEntries(JSON.parse(res.stdout).results.map((r: { check: string }) => [r.check, r]));
    expect(byLabel['Tool profile']).toMatchObject({ passed: false, message: expect.stringContaining('0.0.0.0') });
    expect(byLabel['Bypass permissions']).toMatchObject({ passed: false, message: expect.stringContaining('reachable from the network') });
    expect(byLabel['Browser access']).toMatchObject({ passed: true, message: expect.stringContaining('other devices must send the access token') });
  }, CLI_TIMEOUT);

  it('says honestly when there is no sandbox, when origins are risky, and when nothing asks before networked shell', async () => {
    const h = home();
    fs.writeFileSync(path.join(h, 'audit.jsonl'), '', { mode: 0o600 });
    fs.mkdirSync(`${h}-workspace`, { mode: 0o700 });
    const res = await runCli(['security-audit', '--json'], h, {
      POCKETPAW_SANDBOX: 'off',
      POCKETPAW_API_CORS_ALLOWED_ORIGINS: '["null","http://192.0.2.7:3000","https://mine.example"]',
      POCKETPAW_SANDBOX_NETWORK: 'all',
    });
    expect(res.code).toBe(1);
    const byLabel = Object.fromEntries(JSON.parse(res.stdout).results.map((r: { check: string }) => [r.check, r]));
    expect(byLabel['Shell sandbox']).toMatchObject({ passed: false, message: expect.stringContaining('every shell command waits for your approval') });
    expect(byLabel['Browser access'].passed).toBe(false);
    expect(byLabel['Browser access'].message).toContain('null, http://192.0.2.7:3000');
    expect(byLabel['Browser access'].message).not.toContain('mine.example');
    expect(byLabel.Approvals).toMatchObject({ passed: false, message: expect.stringContaining('reach any host without asking') });
  }, CLI_TIMEOUT);

  it('a sandbox here: names bubblewrap, what it confines and the network policy', async () => {
    const h = home();
    const res = await runCli(['security-audit', '--json'], h, { POCKETPAW_SANDBOX_NETWORK: 'allowlist', POCKETPAW_SANDBOX_ALLOWED_DOMAINS: '["pypi.org"]' });
    const byLabel = Object.fromEntries(JSON.parse(res.stdout).results.map((r: { check: string }) => [r.check, r]));
    expect(byLabel['Shell sandbox']).toMatchObject({ passed: true, message: expect.stringContaining('bubblewrap') });
    expect(byLabel['Shell sandbox'].message).toContain('network only to pypi.org');
  }, CLI_TIMEOUT);
});

describe('POST /api/security-audit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('returns the same report, in PocketPaw\'s check order, and fixes nothing', async () => {
    let res = await s.post('/api/security-audit');
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { check: string }) => r.check)).toEqual(LABELS);
    for (const r of res.body.results) expect(Object.keys(r).sort()).toEqual(['check', 'fixable', 'message', 'passed']);
    expect(res.body).toMatchObject({ total: 10, passed: 10, issues: 0 });

    fs.chmodSync(path.join(s.home, 'access_token'), 0o644);
    res = await s.post('/api/v1/security-audit');
    expect(res.body).toMatchObject({ total: 10, passed: 9, issues: 1 });
    expect(res.body.results[0]).toMatchObject({ check: 'Config file permissions', passed: false, fixable: true, message: expect.stringContaining('access_token is 0644') });
    expect(mode(path.join(s.home, 'access_token'))).toBe(0o644);
  });
});
