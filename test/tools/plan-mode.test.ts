import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { connectChat, streamedText, systemEvents, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';
import { auditLines, setSettings, startToolServer, textReply, toolCallReply, toolResults } from './helpers.js';

let env: ChatTestEnv;
let ws: string;
beforeAll(async () => {
  env = await startToolServer({ config: { plan_mode: true } });
  ws = `${env.s.home}-workspace`;
});
afterAll(() => env.close());

/** Starts a turn whose model calls `tool`, and waits until its plan is proposed. */
async function proposeOn(e: ChatTestEnv, tool: string, args: unknown): Promise<{ sock: ChatSocket; from: number; proposal: WsFrame; key: string }> {
  e.fake.reset();
  e.fake.enqueue(toolCallReply(tool, args), (req) => textReply(`Result: ${toolResults(req)[0]!.content}`));
  const sock = await connectChat(e.s.url);
  const from = sock.frames.length;
  sock.send({ action: 'chat', message: 'please do it' });
  const proposal = await sock.waitFor((f) => f.type === 'plan_proposed', { from });
  return { sock, from, proposal, key: `websocket:${sock.chatId}` };
}

describe('plan mode: tool calls wait for the owner', () => {
  it('proposes the call to every socket, runs nothing, and runs it once approved over the WebSocket', async () => {
    const observer = await connectChat(env.s.url);
    const { sock, from, proposal, key } = await proposeOn(env, 'write_file', { path: 'planned.txt', content: 'approved content' });
    expect(proposal).toEqual({
      type: 'plan_proposed', session_key: key,
      plan: {
        id: expect.any(String), session_key: key, tool: 'write_file', args: { path: 'planned.txt', content: 'approved content' },
        status: 'proposed', created_at: expect.any(String), expires_at: expect.any(String),
      },
    });
    expect(Date.parse(proposal.plan.expires_at) - Date.parse(proposal.plan.created_at)).toBe(5 * 60_000);
    await observer.waitFor((f) => f.type === 'plan_proposed' && f.plan.id === proposal.plan.id);
    // Waiting: the tool has not run, and the model has not been asked again.
    expect(fs.existsSync(path.join(ws, 'planned.txt'))).toBe(false);
    expect(env.fake.requests).toHaveLength(1);
    expect(sock.frames.slice(from).some((f) => f.type === 'stream_end')).toBe(false);

    sock.send({ action: 'approve_plan', session_key: key });
    expect(await sock.waitFor((f) => f.type === 'plan_approved', { from })).toEqual({ type: 'plan_approved', session_key: key });
    const frames = await sock.turn(from);
    expect(fs.readFileSync(path.join(ws, 'planned.txt'), 'utf8')).toBe('approved content');
    expect(systemEvents(frames, 'tool_result')[0]!.data).toMatchObject({ name: 'write_file', status: 'success' });
    expect(streamedText(frames)).toBe('Result: Successfully wrote 16 characters to planned.txt');

    const decisions = auditLines(env.s.home).filter((e) => e.action.startsWith('plan_') && e.context.plan_id === proposal.plan.id);
    expect(decisions.map((e) => e.action)).toEqual(['plan_proposed', 'plan_approved']);
    sock.close();
    observer.close();
  });

  it('rejected over REST: the tool does not run and the model is told', async () => {
    const { sock, from, key } = await proposeOn(env, 'shell', { command: 'touch rejected.txt' });
    const res = await env.s.post('/api/v1/plan/reject', { session_key: key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ session_key: key, action: 'rejected' });
    const frames = await sock.turn(from);
    expect(fs.existsSync(path.join(ws, 'rejected.txt'))).toBe(false);
    expect(systemEvents(frames, 'tool_result')[0]!.data).toMatchObject({ name: 'shell', status: 'error' });
    const reqs = await env.fake.waitForRequests(2);
    expect(toolResults(reqs[1]!)[0]!.content).toContain('The owner rejected this shell call in plan mode; it was not run.');
    // Decided plans are gone: deciding again finds none.
    const again = await env.s.post('/api/v1/plan/approve', { session_key: key });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'No active plan to approve' });
    sock.close();
  });

  it('approved over REST (also with the session id form of the key)', async () => {
    const { sock, from, key } = await proposeOn(env, 'edit_file', { path: 'planned.txt', old_text: 'approved', new_text: 'edited' });
    const res = await env.s.post('/api/v1/plan/approve', { session_key: key.replace(':', '_') });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ session_key: key.replace(':', '_'), action: 'approved' });
    await sock.turn(from);
    expect(fs.readFileSync(path.join(ws, 'planned.txt'), 'utf8')).toBe('edited content');
    sock.close();
  });

  it('tools outside plan_mode_tools run without a plan', async () => {
    env.fake.reset();
    env.fake.enqueue(toolCallReply('list_dir', { path: '.' }), textReply('listed'));
    const sock = await connectChat(env.s.url);
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'list' });
    const frames = await sock.turn(from);
    expect(frames.some((f) => f.type === 'plan_proposed')).toBe(false);
    expect(systemEvents(frames, 'tool_result')[0]!.data.status).toBe('success');
    sock.close();
  });

  it('stop while a plan waits: the turn ends, the plan is withdrawn', async () => {
    const { sock, from, key } = await proposeOn(env, 'shell', { command: 'touch stopped.txt' });
    sock.send({ action: 'stop' });
    const frames = await sock.turn(from);
    expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });
    expect(fs.existsSync(path.join(ws, 'stopped.txt'))).toBe(false);
    const res = await env.s.post('/api/v1/plan/approve', { session_key: key });
    expect(res.status).toBe(404);
    sock.close();
  });

  it('approve / reject with no plan: the spec errors, over the WebSocket and REST; 422 for an empty key', async () => {
    const sock = await connectChat(env.s.url);
    const from = sock.frames.length;
    sock.send({ action: 'approve_plan', session_key: 'websocket:nothing-here' });
    expect(await sock.waitFor((f) => f.type === 'error', { from })).toEqual({ type: 'error', content: 'No active plan to approve', action: 'approve_plan' });
    const next = sock.frames.length;
    sock.send({ action: 'reject_plan' });
    expect(await sock.waitFor((f) => f.type === 'error', { from: next })).toEqual({ type: 'error', content: 'No active plan to reject', action: 'reject_plan' });
    sock.close();

    const approve = await env.s.post('/api/v1/plan/approve', { session_key: 'websocket:nothing-here' });
    expect(approve.status).toBe(404);
    expect(approve.body).toEqual({ detail: 'No active plan to approve' });
    const reject = await env.s.post('/api/v1/plan/reject', { session_key: 'websocket:nothing-here' });
    expect(reject.status).toBe(404);
    expect(reject.body).toEqual({ detail: 'No active plan to reject' });
    for (const body of [{ session_key: '' }, {}, { session_key: 5 }]) {
      const bad = await env.s.post('/api/v1/plan/approve', body);
      expect(bad.status, JSON.stringify(body)).toBe(422);
      expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 'session_key'] });
    }
  });

  it('plan_mode off: plan_mode_tools run at once', async () => {
    await setSettings(env, { plan_mode: false });
    try {
      env.fake.reset();
      env.fake.enqueue(toolCallReply('shell', { command: 'echo direct' }), textReply('ok'));
      const sock = await connectChat(env.s.url);
      const from = sock.frames.length;
      sock.send({ action: 'chat', message: 'go' });
      const frames = await sock.turn(from);
      expect(frames.some((f) => f.type === 'plan_proposed')).toBe(false);
      expect(systemEvents(frames, 'tool_result')[0]!.data).toMatchObject({ result: 'direct', status: 'success' });
      sock.close();
    } finally {
      await setSettings(env, { plan_mode: true });
    }
  });
});

describe('plan expiry', () => {
  let short: ChatTestEnv;
  beforeAll(async () => {
    short = await startToolServer({ config: { plan_mode: true }, env: { POCKETPAW_PLAN_TTL_MS: '300' } });
  });
  afterAll(() => short.close());

  it('an unanswered plan expires: the call is refused, the turn ends, the expiry is audited', async () => {
    const { sock, from, key, proposal } = await proposeOn(short, 'shell', { command: 'touch expired.txt' });
    const frames = await sock.turn(from);
    expect(systemEvents(frames, 'tool_result')[0]!.data).toMatchObject({ name: 'shell', status: 'error' });
    const reqs = await short.fake.waitForRequests(2);
    expect(toolResults(reqs[1]!)[0]!.content).toContain('expired before the owner approved it');
    expect(fs.existsSync(path.join(`${short.s.home}-workspace`, 'expired.txt'))).toBe(false);
    expect((await short.s.post('/api/v1/plan/approve', { session_key: key })).status).toBe(404);
    expect(auditLines(short.s.home).filter((e) => e.context.plan_id === proposal.plan.id).map((e) => e.action)).toEqual(['plan_proposed', 'plan_expired']);
    sock.close();
  });

  it('parallel calls of one session are proposed one after another', async () => {
    short.fake.reset();
    short.fake.enqueue({ steps: [{ toolCall: { name: 'shell', args: { command: 'echo one' } } }, { toolCall: { name: 'shell', args: { command: 'echo two' } } }] }, textReply('done'));
    const sock = await connectChat(short.s.url);
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'two things' });
    const frames = await sock.turn(from);
    const proposals = frames.filter((f) => f.type === 'plan_proposed');
    expect(proposals).toHaveLength(2);
    expect(proposals[0]!.plan.id).not.toBe(proposals[1]!.plan.id);
    sock.close();
  });
});
