import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CRON_PRESETS, nextRun, parseCron } from '../../src/intentions/cron.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import type { ChatSocket } from '../helpers/ws-client.js';
import { allCallers, ask, byType, type Caller } from './helpers.js';

describe('cron (spec §3.14)', () => {
  const from = new Date(2026, 2, 4, 10, 30, 20); // Wednesday
  const next = (schedule: string, after = from) => nextRun(parseCron(schedule), after);

  it('presets and expressions, in local time', () => {
    expect(next('every_minute')).toEqual(new Date(2026, 2, 4, 10, 31));
    expect(next('every_15_minutes')).toEqual(new Date(2026, 2, 4, 10, 45));
    expect(next('every_hour')).toEqual(new Date(2026, 2, 4, 11, 0));
    expect(next('every_morning_9am')).toEqual(new Date(2026, 2, 5, 9, 0));
    expect(next('weekday_morning_8am', new Date(2026, 2, 6, 9, 0))).toEqual(new Date(2026, 2, 9, 8, 0)); // Friday → Monday
    expect(next('weekly_monday_9am')).toEqual(new Date(2026, 2, 9, 9, 0));
    expect(next('monthly_first_9am')).toEqual(new Date(2026, 3, 1, 9, 0));
    expect(next('30 18 * * sat,sun')).toEqual(new Date(2026, 2, 7, 18, 30));
    expect(next('0 0 29 2 *')).toEqual(new Date(2028, 1, 29, 0, 0));
    expect(next('0 9 13 * 5')).toEqual(new Date(2026, 2, 6, 9, 0)); // day-of-month or Friday
    expect(next('0-10/5 12 * jan-mar 7')).toEqual(new Date(2026, 2, 8, 12, 0));
    expect(Object.keys(CRON_PRESETS)).toHaveLength(14);
    for (const preset of Object.keys(CRON_PRESETS)) expect(next(preset)).not.toBeNull();
  });

  it('refuses what it cannot read', () => {
    for (const bad of ['', 'every_fortnight', '* * * *', '60 * * * *', '* 24 * * *', '*/0 * * * *', '5-1 * * * *', 'a * * * *']) {
      expect(() => parseCron(bad), bad).toThrow(/Invalid cron schedule/);
    }
    // Seconds and years are croner extensions PocketPaw never took: five fields only.
    expect(() => parseCron('0 * * * * *')).toThrow(/expected 5 fields or a preset \(every_minute,/);
    expect(() => parseCron('99 * * * *')).toThrow('Invalid cron schedule "99 * * * *": Invalid value for minute: 99');
  });

  it('strictly after, "N/step" ranges, never-matching dates', () => {
    expect(next('0 9 * * *', new Date(2026, 2, 4, 9, 0, 0, 0))).toEqual(new Date(2026, 2, 5, 9, 0));
    expect(next('5/20 * * * *', new Date(2026, 2, 4, 10, 30))).toEqual(new Date(2026, 2, 4, 10, 45));
    expect(next('0 0 30 2 *')).toBeNull();
  });

  it('a time skipped by the DST change still runs that day, at the first valid minute (as Vixie cron)', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Europe/Berlin'; // 2026-03-29 02:00 → 03:00; Node re-reads TZ on assignment
    try {
      // The earlier minute walker skipped to 30 March; croner runs at 03:00 on the 29th.
      expect(next('30 2 * * *', new Date(2026, 2, 28, 12, 0))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

let env: ChatTestEnv;
let callers: Caller[];
beforeAll(async () => {
  env = await startChatServer('openai');
  callers = await allCallers(env.s);
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());
const open: ChatSocket[] = [];
afterEach(() => {
  for (const sock of open.splice(0)) sock.close();
});

const INTENTION = {
  id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: expect.any(String), prompt: expect.any(String), trigger: expect.any(Object),
  context_sources: expect.any(Array), enabled: expect.any(Boolean), created_at: expect.stringMatching(/\+00:00$/), last_run: null,
  next_run: expect.anything(),
};

function onDisk(): Array<{ id: string; name: string }> {
  return JSON.parse(fs.readFileSync(path.join(env.s.home, 'intentions.json'), 'utf8'));
}

describe('REST /api/v1/intentions', () => {
  it('create, list, patch, toggle, delete — under every auth mode, stored in intentions.json', async () => {
    for (const c of callers) {
      const created = await c.post('/api/v1/intentions', { name: 'Morning brief', prompt: 'Summarise my day', trigger: { type: 'cron', schedule: 'every_morning_8am' }, context_sources: ['datetime'] });
      expect(created.status, `${c.name}: ${created.text}`).toBe(200);
      const it0 = created.body.intention;
      expect(it0).toEqual({ ...INTENTION, name: 'Morning brief', enabled: true, context_sources: ['datetime'], trigger: { type: 'cron', schedule: 'every_morning_8am' }, next_run: expect.stringMatching(/\+00:00$/) });
      expect(new Date(it0.next_run).getHours()).toBe(8);
      expect(onDisk().map((i) => i.id)).toContain(it0.id);
      expect((await c.get('/api/v1/intentions')).body.intentions.map((i: { id: string }) => i.id)).toContain(it0.id);

      const patched = await c.patch(`/api/v1/intentions/${it0.id}`, { name: 'Brief', prompt: null, id: 'hijack', created_at: 'x' });
      expect(patched.body.intention).toMatchObject({ id: it0.id, created_at: it0.created_at, name: 'Brief', prompt: 'Summarise my day' });
      expect((await c.patch(`/api/v1/intentions/${it0.id}`, { prompt: null })).body).toEqual({ detail: 'No updates provided' });
      expect((await c.patch(`/api/v1/intentions/${it0.id}`, { trigger: { type: 'cron', schedule: 'sometimes' } })).status).toBe(400);

      const off = await c.post(`/api/v1/intentions/${it0.id}/toggle`);
      expect(off.body.intention).toMatchObject({ enabled: false, next_run: null });
      const on = await c.post(`/api/v1/intentions/${it0.id}/toggle`);
      expect(on.body.intention.enabled).toBe(true);
      expect(on.body.intention.next_run).toMatch(/\+00:00$/);

      expect((await c.del(`/api/v1/intentions/${it0.id}`)).body).toEqual({ id: it0.id, deleted: true });
      for (const [method, p] of [['DELETE', ''], ['POST', '/toggle'], ['POST', '/run'], ['PATCH', '']] as const) {
        const res = await c.request(`/api/v1/intentions/${it0.id}${p}`, { method, ...(method === 'PATCH' ? { json: { name: 'x' } } : {}) });
        expect(res.status, `${method} ${p}`).toBe(404);
        expect(res.body).toEqual({ detail: 'Intention not found' });
      }
    }
  });

  it('validation: 422 for a bad body, 400 for a schedule that is not cron', async () => {
    expect((await env.s.post('/api/v1/intentions', { name: '', prompt: 'p', trigger: {} })).status).toBe(422);
    expect((await env.s.post('/api/v1/intentions', { name: 'n', prompt: 'p' })).status).toBe(422);
    const bad = await env.s.post('/api/v1/intentions', { name: 'n', prompt: 'p', trigger: { type: 'cron', schedule: '99 * * * *' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^Failed to create intention: Invalid cron schedule/);
    // Other trigger types are kept; they never fire.
    const manual = await env.s.post('/api/v1/intentions', { name: 'n', prompt: 'p', trigger: { type: 'manual' } });
    expect(manual.body.intention).toMatchObject({ trigger: { type: 'manual' }, next_run: null });
    await env.s.del(`/api/v1/intentions/${manual.body.intention.id}`);
  });
});

describe('WebSocket intentions', () => {
  it('create (with PocketPaw\'s defaults), update, toggle, delete — under every auth mode', async () => {
    for (const c of callers) {
      const sock = await c.socket();
      open.push(sock);
      const created = await ask(sock, { action: 'create_intention' }, byType('intention_created'));
      expect(created.intention, c.name).toEqual({ ...INTENTION, name: 'Unnamed', prompt: '', trigger: { type: 'cron', schedule: '0 9 * * *' }, enabled: true, context_sources: [] });
      const id = created.intention.id as string;
      const list = await ask(sock, { action: 'get_intentions' }, byType('intentions'));
      expect(list.intentions.map((i: { id: string }) => i.id)).toContain(id);
      const updated = await ask(sock, { action: 'update_intention', id, updates: { name: 'Renamed', enabled: false } }, byType('intention_updated'));
      expect(updated.intention).toMatchObject({ id, name: 'Renamed', enabled: false, next_run: null });
      expect((await ask(sock, { action: 'toggle_intention', id }, byType('intention_toggled'))).intention.enabled).toBe(true);
      expect(await ask(sock, { action: 'delete_intention', id }, byType('intention_deleted'))).toEqual({ type: 'intention_deleted', id });
      for (const action of ['update_intention', 'delete_intention', 'toggle_intention', 'run_intention']) {
        expect(await ask(sock, { action, id, updates: { name: 'x' } }, byType('error'))).toEqual({ type: 'error', content: 'Intention not found', action });
      }
      expect(await ask(sock, { action: 'create_intention', trigger: { type: 'cron', schedule: 'nope' } }, byType('error')))
        .toEqual({ type: 'error', content: expect.stringMatching(/^Failed to create intention: Invalid cron schedule/), action: 'create_intention' });
    }
  });

  it('run_intention: notification, then the run\'s frames to every socket with the agent\'s answer', async () => {
    const sock = await callers[0]!.socket();
    const watcher = await callers[2]!.socket();
    open.push(sock, watcher);
    await ask(watcher, { action: 'get_intentions' }, byType('intentions'));
    const created = await ask(sock, { action: 'create_intention', name: 'Status report', prompt: 'Report the weather', context_sources: ['datetime', 'health_status'] }, byType('intention_created'));
    const id = created.intention.id as string;
    env.fake.enqueue(textReply('All sunny.'));
    expect(await ask(sock, { action: 'run_intention', id }, byType('notification'))).toEqual({ type: 'notification', content: '🚀 Running intention: Status report' });
    for (const ws of [sock, watcher]) {
      const done = await ws.waitFor((f) => f.type === 'intention_completed' && f.intention_id === id);
      expect(done).toEqual({ type: 'intention_completed', intention_id: id, intention_name: 'Status report', timestamp: expect.any(String) });
      const from = ws.frames.findIndex((f) => f.type === 'intention_started' && f.intention_id === id);
      expect(from).toBeGreaterThanOrEqual(0);
      const answer = ws.frames.find((f) => f.type === 'message' && f.intention_id === id);
      expect(answer).toMatchObject({ content: 'All sunny.', is_stream_chunk: false });
    }
    const prompt = (env.fake.requests[0]!.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user').pop()!.content;
    expect(prompt).toContain('Current date and time:');
    expect(prompt).toMatch(/Health: (healthy|degraded|unhealthy)/);
    expect(prompt).toContain('Report the weather');
    expect((await env.s.get('/api/v1/intentions')).body.intentions.find((i: { id: string }) => i.id === id).last_run).toMatch(/\+00:00$/);
    const from = sock.frames.length;
    const run = await env.s.post(`/api/v1/intentions/${id}/run`);
    expect(run.body).toEqual({ id, status: 'running', message: 'Running intention: Status report' });
    await sock.waitFor((f) => f.type === 'intention_completed' && f.intention_id === id, { from });
  });
});
