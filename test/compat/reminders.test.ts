import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseReminder, timeRemaining } from '../../src/reminders/parse.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { ChatSocket } from '../helpers/ws-client.js';
import { allCallers, ask, byType, type Caller } from './helpers.js';

const PARSE_ERROR = "Could not parse time from message. Try 'in 5 minutes' or 'at 3pm'";

describe('time phrases (spec §3.14)', () => {
  // Wednesday 2026-03-04 10:30:00 local time.
  const now = new Date(2026, 2, 4, 10, 30, 0);
  const at = (d: number, h: number, m = 0) => new Date(2026, 2, d, h, m, 0).getTime();

  it('in N units', () => {
    expect(parseReminder('remind me to stretch in 10 minutes', now)).toEqual({ triggerAt: new Date(now.getTime() + 600_000), text: 'Stretch' });
    expect(parseReminder('Call Mom in 2 hrs', now)!.triggerAt.getTime()).toBe(now.getTime() + 7_200_000);
    expect(parseReminder('in 1 day water the plants', now)).toEqual({ triggerAt: new Date(now.getTime() + 86_400_000), text: 'Water the plants' });
    expect(parseReminder('ping in 30 secs', now)!.triggerAt.getTime()).toBe(now.getTime() + 30_000);
    expect(parseReminder('ping IN 5 MIN', now)!.triggerAt.getTime()).toBe(now.getTime() + 300_000);
  });

  it('at H[:MM] [am|pm]: today, or tomorrow when past or when "tomorrow" is said', () => {
    expect(parseReminder('Remind me to call John at 3pm', now)).toEqual({ triggerAt: new Date(at(4, 15)), text: 'Call john' });
    expect(parseReminder('standup at 9:15 am', now)!.triggerAt.getTime()).toBe(at(5, 9, 15));
    expect(parseReminder('lunch at 12pm', now)!.triggerAt.getTime()).toBe(at(4, 12));
    expect(parseReminder('midnight snack at 12am', now)!.triggerAt.getTime()).toBe(at(5, 0));
    expect(parseReminder('deploy at 16:45', now)!.triggerAt.getTime()).toBe(at(4, 16, 45));
    expect(parseReminder('remind me tomorrow at 11 to renew the domain', now)).toEqual({ triggerAt: new Date(at(5, 11)), text: 'Renew the domain' });
  });

  it('bare tomorrow is 09:00 tomorrow; an explicit future date works; nothing else does', () => {
    expect(parseReminder('remind me to pay rent tomorrow', now)).toEqual({ triggerAt: new Date(at(5, 9)), text: 'Pay rent' });
    expect(parseReminder('dentist on 2026-03-20 14:30', now)).toEqual({ triggerAt: new Date(at(20, 14, 30)), text: 'Dentist' });
    expect(parseReminder('taxes 2026-04-01', now)!.triggerAt.getTime()).toBe(new Date(2026, 3, 1, 9, 0).getTime());
    expect(parseReminder('old news 2020-01-01', now)).toBeNull();
    expect(parseReminder('buy milk', now)).toBeNull();
    expect(parseReminder('at 25:00 something', now)).toBeNull();
    expect(parseReminder('in 0 minutes', now)).toBeNull();
  });

  it('phrasings chrono-node reads that the earlier parser did not (docs/libraries.md)', () => {
    expect(parseReminder('remind me to call the bank next friday', now)).toEqual({ triggerAt: new Date(at(13, 9)), text: 'Call the bank' });
    expect(parseReminder('tomorrow at 9am standup', now)).toEqual({ triggerAt: new Date(at(5, 9)), text: 'Standup' });
    expect(parseReminder('dinner tonight at 7', now)).toEqual({ triggerAt: new Date(at(4, 19)), text: 'Dinner' });
    expect(parseReminder('meeting on march 20 at 2pm', now)).toEqual({ triggerAt: new Date(at(20, 14)), text: 'Meeting' });
    expect(parseReminder('in 2 weeks check the tyres', now)).toEqual({ triggerAt: new Date(now.getTime() + 14 * 86_400_000), text: 'Check the tyres' });
    expect(parseReminder('erinnere mich morgen um 9 Uhr an den Zahnarzt', now)!.triggerAt).toEqual(new Date(at(5, 9)));
    expect(parseReminder("rappelle-moi demain à 9h d'appeler Marie", now)).toEqual({ triggerAt: new Date(at(5, 9)), text: "Rappelle-moi d'appeler marie" });
    expect(parseReminder('llamar a mamá mañana a las 9', now)).toEqual({ triggerAt: new Date(at(5, 9)), text: 'Llamar a mamá' });
    // Short words that are weekdays elsewhere ("do", "so", "ma") and bare digits stay no time.
    for (const none of ['do the laundry', 'so long', 'ma', 'score 3:2', 'a la carte']) expect(parseReminder(none, now), none).toBeNull();
  });

  it('falls back to the message when nothing but the time is left', () => {
    expect(parseReminder('in 5 minutes', now)!.text).toBe('in 5 minutes');
  });

  it('time_remaining', () => {
    const t = (s: number) => timeRemaining(new Date(now.getTime() + s * 1000), now);
    expect(t(-5)).toBe('past');
    expect(t(0)).toBe('past');
    expect(t(42)).toBe('in 42s');
    expect(t(300)).toBe('in 5m');
    expect(t(7200)).toBe('in 2h');
    expect(t(7500)).toBe('in 2h 5m');
    expect(t(3 * 86400 + 10)).toBe('in 3d');
  });
});

let s: TestServer;
let callers: Caller[];
const home = tempDir();
beforeAll(async () => {
  // A reminder left by an earlier run (PocketPaw's file, with its `original`).
  fs.writeFileSync(path.join(home, 'reminders.json'), JSON.stringify([{
    id: '0c6f0a52-1111-4222-8333-444455556666', text: 'Renew passport', trigger_at: '2099-01-01T09:00:00+00:00',
    created_at: '2026-01-01T09:00:00+00:00', original: 'renew passport on 2099-01-01',
  }]));
  s = await startTestServer({ home });
  callers = await allCallers(s);
});
afterAll(() => s.close());
const open: ChatSocket[] = [];
afterEach(() => {
  for (const sock of open.splice(0)) sock.close();
});

const REMINDER = { id: expect.stringMatching(/^[0-9a-f-]{36}$/), text: expect.any(String), trigger_at: expect.stringMatching(/\+00:00$/), created_at: expect.stringMatching(/\+00:00$/), time_remaining: expect.any(String) };

function fileIds(): string[] {
  return (JSON.parse(fs.readFileSync(path.join(home, 'reminders.json'), 'utf8')) as Array<{ id: string }>).map((r) => r.id);
}

describe('REST /api/v1/reminders', () => {
  it('lists the real file, adds, deletes — under every auth mode', async () => {
    for (const c of callers) {
      const listed = await c.get('/api/v1/reminders');
      expect(listed.status, c.name).toBe(200);
      expect(listed.body.reminders[0]).toEqual({
        id: '0c6f0a52-1111-4222-8333-444455556666', text: 'Renew passport', trigger_at: '2099-01-01T09:00:00+00:00',
        created_at: '2026-01-01T09:00:00+00:00', time_remaining: expect.stringMatching(/^in \d+d$/),
      });
      const added = await c.post('/api/v1/reminders', { message: 'remind me to water the ferns in 3 hours' });
      expect(added.status).toBe(200);
      expect(added.body.reminder).toEqual({ ...REMINDER, text: 'Water the ferns', time_remaining: expect.stringMatching(/^in (2h 59m|3h)$/) });
      const stored = JSON.parse(fs.readFileSync(path.join(home, 'reminders.json'), 'utf8')).find((r: { id: string }) => r.id === added.body.reminder.id);
      expect(stored.original).toBe('remind me to water the ferns in 3 hours');
      const id = added.body.reminder.id as string;
      expect((await c.get('/api/v1/reminders')).body.reminders.map((r: { id: string }) => r.id)).toContain(id);
      expect((await c.del(`/api/v1/reminders/${id}`)).body).toEqual({ id, deleted: true });
      expect(fileIds()).not.toContain(id);
      const again = await c.del(`/api/v1/reminders/${id}`);
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ detail: 'Reminder not found' });
    }
  });

  it('400 for a message without a time, 422 for a bad body', async () => {
    const res = await s.post('/api/v1/reminders', { message: 'buy milk' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: PARSE_ERROR });
    expect((await s.post('/api/v1/reminders', { message: '' })).status).toBe(422);
    expect((await s.post('/api/v1/reminders', {})).status).toBe(422);
    expect((await s.post('/api/v1/reminders', { message: 'x'.repeat(5001) })).status).toBe(422);
  });
});

describe('WebSocket reminders', () => {
  it('get_reminders, add_reminder, delete_reminder — under every auth mode', async () => {
    for (const c of callers) {
      const sock = await c.socket();
      open.push(sock);
      const list = await ask(sock, { action: 'get_reminders' }, byType('reminders'));
      expect(list.reminders.map((r: { text: string }) => r.text), c.name).toContain('Renew passport');
      const added = await ask(sock, { action: 'add_reminder', message: 'stand up at 11pm' }, byType('reminder_added'));
      expect(added.reminder).toEqual({ ...REMINDER, text: 'Stand up' });
      expect(fileIds()).toContain(added.reminder.id);
      expect(await ask(sock, { action: 'add_reminder', message: 'no time here' }, byType('error'))).toEqual({ type: 'error', content: PARSE_ERROR, action: 'add_reminder' });
      expect(await ask(sock, { action: 'delete_reminder', id: added.reminder.id }, byType('reminder_deleted'))).toEqual({ type: 'reminder_deleted', id: added.reminder.id });
      expect(await ask(sock, { action: 'delete_reminder', id: added.reminder.id }, byType('error'))).toEqual({ type: 'error', content: 'Reminder not found', action: 'delete_reminder' });
    }
  });

  it('a due reminder reaches every socket in both of PocketPaw\'s frames, and is removed', async () => {
    const a = await callers[0]!.socket();
    const b = await callers[3]!.socket();
    open.push(a, b);
    const added = await ask(a, { action: 'add_reminder', message: 'remind me to check the oven in 1 second' }, byType('reminder_added'));
    const id = added.reminder.id as string;
    for (const sock of [a, b]) {
      const first = await sock.waitFor((f) => f.type === 'reminder' && f.content?.id === id);
      expect(first).toEqual({ type: 'reminder', content: { ...REMINDER, id, text: 'Check the oven', time_remaining: 'past' } });
      const second = await sock.waitFor((f) => f.type === 'reminder' && f.reminder?.id === id);
      expect(second).toEqual({ type: 'reminder', reminder: first.content });
    }
    expect(fileIds()).not.toContain(id);
    expect((await s.get('/api/v1/reminders')).body.reminders.map((r: { id: string }) => r.id)).not.toContain(id);
  });
});

describe('an unreadable reminders.json', () => {
  it('is reported (REST 500 naming the file, WS error), never replaced', async () => {
    const file = path.join(home, 'reminders.json');
    const saved = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, '[{"id": "half-written');
    try {
      const list = await s.get('/api/v1/reminders');
      expect(list.status).toBe(500);
      expect(list.body.detail).toMatch(/reminders\.json is not valid JSON .*fix or remove it/);
      expect((await s.post('/api/v1/reminders', { message: 'x in 5 minutes' })).status).toBe(500);
      expect(fs.readFileSync(file, 'utf8')).toBe('[{"id": "half-written');
      const sock = await callers[0]!.socket();
      open.push(sock);
      expect((await ask(sock, { action: 'get_reminders' }, byType('error'))).content).toMatch(/reminders\.json is not valid JSON/);
    } finally {
      fs.writeFileSync(file, saved);
    }
  });
});
