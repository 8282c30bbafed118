import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEvent } from '../../src/audit/log.js';
import { LiveBus } from '../../src/events/live-bus.js';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { connectChat, systemEvents } from '../helpers/ws-client.js';
import { auditLines, runTools, startToolServer } from './helpers.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startToolServer();
});
afterAll(() => env.close());

describe('audit log', () => {
  it('100 parallel tool calls: every start and result is a whole JSON line, none lost', async () => {
    const before = auditLines(env.s.home).length;
    const calls = Array.from({ length: 100 }, (_, i) => ({ name: 'write_file', args: { path: `par/${i}.txt`, content: `file ${i} ${'#'.repeat(i * 37)}` } }));
    const { results } = await runTools(env, calls);
    expect(results).toHaveLength(100);
    expect(results.every((r) => r.content.startsWith('Successfully wrote'))).toBe(true);

    const raw = fs.readFileSync(path.join(env.s.home, 'audit.jsonl'), 'utf8');
    expect(raw.endsWith('\n')).toBe(true);
    const lines = raw.split('\n').filter(Boolean);
    for (const l of lines) expect(() => JSON.parse(l), l.slice(0, 200)).not.toThrow();
    const added = lines.slice(before).map((l) => JSON.parse(l) as AuditEvent);
    expect(added.length).toBeGreaterThanOrEqual(200);
    const uses = added.filter((e) => e.action === 'tool_use' && e.target === 'write_file');
    const paths = (status: string) => new Set(uses.filter((e) => e.status === status).map((e) => (e.context.params as { path?: string } | undefined)?.path ?? e.id));
    expect(paths('start').size).toBe(100);
    expect(uses.filter((e) => e.status === 'success')).toHaveLength(100);
    expect(new Set(added.map((e) => e.id)).size).toBe(added.length);
  });

  it('every entry is pushed live to every WebSocket as system_event audit_entry', async () => {
    const watcher = await connectChat(env.s.url);
    const from = watcher.frames.length;
    await runTools(env, [{ name: 'list_dir', args: { path: '.' } }]);
    const written = auditLines(env.s.home).slice(-2);
    for (const e of written) {
      const frame = await watcher.waitFor((f) => f.type === 'system_event' && f.event_type === 'audit_entry' && f.data.id === e.id, { from });
      expect(frame).toEqual({ type: 'system_event', event_type: 'audit_entry', data: e });
    }
    expect(systemEvents(watcher.frames.slice(from), 'audit_entry').map((f) => f.data.status)).toEqual(expect.arrayContaining(['start', 'success']));
    watcher.close();
  });

  it('logins are audited, successful or not', async () => {
    const bad = await env.s.post('/api/auth/login', { token: 'wrong-token' });
    expect(bad.status).toBe(401);
    const good = await env.s.post('/api/auth/login', { token: env.s.token });
    expect(good.status).toBe(200);
    const logins = auditLines(env.s.home).filter((e) => e.action.startsWith('login_'));
    expect(logins.map((e) => e.action)).toEqual(['login_failure', 'login_success']);
    expect(logins[0]).toMatchObject({ severity: 'warning', status: 'failure', context: { ip: expect.any(String), method: 'token' } });
    expect(logins[1]).toMatchObject({ severity: 'info', status: 'success' });
    expect(JSON.stringify(logins)).not.toContain(env.s.token);
  });

  it('GET /api/audit: newest first, limit, filters; v1 bounds the limit', async () => {
    const all = (await env.s.get('/api/v1/audit?limit=1000')).body as AuditEvent[];
    const onDisk = auditLines(env.s.home);
    expect(all).toEqual(onDisk.slice(-1000).reverse());

    const three = await env.s.get('/api/audit?limit=3');
    expect(three.status).toBe(200);
    expect(three.body).toEqual(onDisk.slice(-3).reverse());

    const denied = (await env.s.get('/api/v1/audit?action=login_failure')).body as AuditEvent[];
    expect(denied.map((e) => e.action)).toEqual(['login_failure']);
    const warnings = (await env.s.get('/api/v1/audit?severity=warning&limit=5')).body as AuditEvent[];
    expect(warnings.length).toBe(5);
    expect(warnings.every((e) => e.severity === 'warning')).toBe(true);
    const byStatus = (await env.s.get('/api/v1/audit?status=success&actor=agent&limit=1000')).body as AuditEvent[];
    expect(byStatus.every((e) => e.status === 'success' && e.actor === 'agent')).toBe(true);

    const cut = onDisk.at(-2)!.timestamp;
    const since = (await env.s.get(`/api/v1/audit?since=${encodeURIComponent(cut)}`)).body as AuditEvent[];
    expect(since.length).toBeGreaterThanOrEqual(2);
    expect(since.every((e) => Date.parse(e.timestamp) >= Date.parse(cut))).toBe(true);

    for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'severity=loud', 'since=yesterday-ish']) {
      const res = await env.s.get(`/api/v1/audit?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.body.detail[0].loc[0]).toBe('query');
    }
    // Legacy clamps instead.
    expect((await env.s.get('/api/audit?limit=0')).body).toEqual([]);
  });

  it('scoped API keys need admin to read or clear the log or decide plans (it holds commands and logins)', async () => {
    const created = await env.s.post('/api/v1/auth/api-keys', { name: 'chat-only', scopes: ['chat'] });
    expect(created.status).toBe(200);
    const auth = { headers: { authorization: `Bearer ${created.body.key}` } };
    const admin = await env.s.post('/api/v1/auth/api-keys', { name: 'admin', scopes: ['admin'] });
    expect((await env.s.remote('/api/v1/audit?limit=1', { headers: { authorization: `Bearer ${admin.body.key}` } })).status).toBe(200);
    for (const [method, p, json] of [['GET', '/api/v1/audit?limit=1', undefined], ['DELETE', '/api/audit', undefined], ['POST', '/api/v1/plan/approve', { session_key: 'websocket:x' }]] as const) {
      const res = await env.s.remote(p, { ...auth, method, json });
      expect(res.status, p).toBe(403);
      expect(res.body).toEqual({ detail: 'API key missing required scope: admin' });
    }
  });

  it('DELETE /api/audit empties it; GET then returns []', async () => {
    for (const p of ['/api/audit', '/api/v1/audit']) {
      await env.s.post('/api/auth/login', { token: 'x' });
      const res = await env.s.del(p);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      expect((await env.s.get(p)).body).toEqual([]);
    }
    expect(fs.statSync(path.join(env.s.home, 'audit.jsonl')).size).toBe(0);
  });
});

describe('AuditLog.read', () => {
  it('reads newest first from the end of a large file, skipping lines that are not JSON', async () => {
    const dir = tempDir('pocketpaw-audit-');
    try {
      const bus = new LiveBus();
      const log = new AuditLog(path.join(dir, 'audit.jsonl'), { bus });
      // About 20 MB of older entries, then a torn line, then the newest entries.
      const old = `${JSON.stringify({ id: 'old', timestamp: '2020-01-01T00:00:00+00:00', severity: 'info', actor: 'agent', action: 'old', target: 'x', status: 'success', context: { pad: 'p'.repeat(1000) } })}\n`;
      fs.writeFileSync(log.file, old.repeat(20_000));
      fs.appendFileSync(log.file, '{"id": "torn", "timest\nnot json at all\n');
      const newest = Array.from({ length: 5 }, (_, i) => log.write({ action: 'fresh', target: `t${i}`, actor: 'test' }));
      expect((await log.read({ limit: 3 })).map((e) => e.target)).toEqual(['t4', 't3', 't2']);
      expect((await log.read({ limit: 100, action: 'fresh' })).map((e) => e.target)).toEqual(['t4', 't3', 't2', 't1', 't0']);
      // `since` stops at older entries instead of scanning the whole file.
      expect(await log.read({ limit: 100, since: Date.parse(newest[0]!.timestamp) - 1 })).toHaveLength(5);
      expect(await log.read({ limit: 2, action: 'old' })).toHaveLength(2);
      const seen: unknown[] = [];
      const off = bus.subscribe((f) => seen.push(f));
      log.write({ action: 'live', target: 'x' });
      off();
      log.write({ action: 'after', target: 'x' });
      expect(seen).toEqual([{ type: 'system_event', event_type: 'audit_entry', data: expect.objectContaining({ action: 'live' }) }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
