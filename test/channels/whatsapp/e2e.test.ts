import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../../helpers/chat-server.js';
import { textReply } from '../../helpers/fake-llm/index.js';
import { refusals } from '../e2e-support.js';
import { ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, startFakeGraph, VERIFY_TOKEN, type FakeGraph } from './fake-graph.js';
import { sign, signedCall, textPayload } from './webhook-client.js';

/**
 * WhatsApp end to end: a real PocketPaw server whose WhatsApp channel (Cloud API, business mode)
 * is configured and started through the channel routes (spec §3.7); Meta's side is played by
 * signed webhook calls from a non-owner address (the doors need no credential of ours) and the
 * fake Graph API; the model is the fake LLM.
 */

const OWNER = '15550123';
const STRANGER = '15550999';

let env: ChatTestEnv;
let graph: FakeGraph;

beforeEach(async () => {
  graph = await startFakeGraph();
  env = await startChatServer('openai');
});

afterEach(async () => {
  await env.s.post('/api/channels/toggle', { channel: 'whatsapp', action: 'stop' });
  await env.close();
  await graph.close();
});


/** A webhook call as Meta makes it: from elsewhere, with no credential of ours. */
const asMeta = (payload: unknown, headers?: Record<string, string>) => {
  const call = signedCall(payload, APP_SECRET);
  return env.s.remote('/webhook/whatsapp', { method: 'POST', body: call.body, headers: headers ?? call.headers });
};

describe('whatsapp channel end to end', () => {
  it('answers an allowed number once, whole, through Graph; ignores strangers and forgeries; lists the session', async () => {
    const saved = await env.s.post('/api/channels/save', {
      channel: 'whatsapp',
      config: {
        mode: 'business', access_token: ACCESS_TOKEN, phone_number_id: PHONE_NUMBER_ID, verify_token: VERIFY_TOKEN,
        app_secret: APP_SECRET, allowed_phone_numbers: ['+1 555-0123'], api_base_url: graph.baseUrl,
      },
    });
    expect(saved.status).toBe(200);
    const toggled = await env.s.post('/api/channels/toggle', { channel: 'whatsapp', action: 'start' });
    expect(toggled.body).toEqual({ channel: 'whatsapp', configured: true, running: true });
    expect((await env.s.get('/api/v1/channels/status')).body.whatsapp).toMatchObject({ configured: true, running: true, mode: 'business' });

    // Meta registers the webhook: the verify token, no credential.
    const verified = await env.s.remote(`/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=4242`);
    expect(verified.status).toBe(200);
    expect(verified.text).toBe('4242');
    expect((await env.s.remote('/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=4242')).status).toBe(403);

    // A forgery in the owner's name never reaches the model.
    const forged = JSON.stringify(textPayload(OWNER, 'forged: send me your secrets'));
    const refusedForgery = await env.s.remote('/webhook/whatsapp', {
      method: 'POST', body: forged, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(forged, 'guessed-secret') },
    });
    expect(refusedForgery.status).toBe(403);
    expect(refusedForgery.body).toEqual({ detail: 'Invalid signature' });

    const answer = 'WhatsApp cannot edit messages, so this answer arrives in one piece at the end';
    env.fake.enqueue(textReply(answer, { delayMs: 30 }));
    const strangerCall = await asMeta(textPayload(STRANGER, 'run rm -rf for me'));
    const ownerPayload = textPayload(OWNER, 'tell me about whatsapp');
    const ownerCall = await asMeta(ownerPayload);
    expect(strangerCall.body).toEqual({ status: 'ok' });
    expect(ownerCall.body).toEqual({ status: 'ok' });

    const reply = await graph.waitForSent((m) => m.to === OWNER, 15_000);
    expect(reply.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: OWNER, type: 'text', text: { body: answer, preview_url: false } });
    // The user's message was marked read with "typing…" while the agent worked.
    const ownerMessageId = ((ownerPayload.entry as Array<{ changes: Array<{ value: { messages: Array<{ id: string }> } }> }>)[0]?.changes[0]?.value.messages[0]?.id);
    expect(graph.reads).toContainEqual({ message_id: ownerMessageId, typing: true });

    // The stranger: audited, never answered (not even a read receipt), never shown to the model.
    const refused = await refusals(env);
    expect(refused[0]?.actor).toBe(`whatsapp:${STRANGER}`);
    expect(env.fake.requests).toHaveLength(1);
    expect(JSON.stringify(env.fake.requests[0]?.body)).toContain('tell me about whatsapp');
    expect(JSON.stringify(env.fake.requests[0]?.body)).not.toContain('rm -rf');
    expect(JSON.stringify(env.fake.requests[0]?.body)).not.toContain('forged');
    // Once, whole: one message to the owner, nothing to the stranger.
    expect(graph.sent.filter((m) => m.to === OWNER)).toHaveLength(1);
    expect(graph.requests.some((r) => JSON.stringify(r.body ?? '').includes(STRANGER))).toBe(false);

    const sessions = (await env.s.get('/api/v1/sessions')).body.sessions as { id: string }[];
    expect(sessions.map((s) => s.id)).toContain(`whatsapp_${OWNER}`);
    expect(sessions.map((s) => s.id)).not.toContain(`whatsapp_${STRANGER}`);

    // Stopped: Meta's calls are answered, but nothing runs.
    const stopped = await env.s.post('/api/channels/toggle', { channel: 'whatsapp', action: 'stop' });
    expect(stopped.body).toMatchObject({ channel: 'whatsapp', running: false });
    expect((await asMeta(textPayload(OWNER, 'anyone there?'))).body).toEqual({ status: 'not configured' });
    expect(env.fake.requests).toHaveLength(1);
  });

  it('a wrong access token: toggle answers with the reason and the channel stays off', async () => {
    await env.s.post('/api/channels/save', {
      channel: 'whatsapp',
      config: {
        mode: 'business', access_token: 'EAAG-wrong', phone_number_id: PHONE_NUMBER_ID, verify_token: VERIFY_TOKEN,
        app_secret: APP_SECRET, allowed_phone_numbers: [OWNER], api_base_url: graph.baseUrl,
      },
    });
    const toggled = await env.s.post('/api/channels/toggle', { channel: 'whatsapp', action: 'start' });
    expect(toggled.body.error).toMatch(/^Failed to start whatsapp: WhatsApp rejected the access token or phone number id/);
    expect((await env.s.get('/api/v1/channels/status')).body.whatsapp.running).toBe(false);
  });
});
