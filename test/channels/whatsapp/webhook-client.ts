import crypto from 'node:crypto';
import { PHONE_NUMBER_ID } from './fake-graph.js';

/** What Meta POSTs to `/webhook/whatsapp`, signed the way Meta signs it. */

export function sign(body: string | Buffer, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

let seq = 0;
export const nextMessageId = () => `wamid.HBgLMTU1NTAxMDAxMjM${++seq}`;

/** A Cloud API `messages` webhook carrying one message from `from`. */
export function messagePayload(from: string, message: Record<string, unknown>, opts: { phoneNumberId?: string; name?: string } = {}): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550100', phone_number_id: opts.phoneNumberId ?? PHONE_NUMBER_ID },
          contacts: [{ profile: { name: opts.name ?? 'Test User' }, wa_id: from }],
          messages: [{ from, id: nextMessageId(), timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
        },
      }],
    }],
  };
}

export const textPayload = (from: string, body: string, opts?: { phoneNumberId?: string }) => messagePayload(from, { type: 'text', text: { body } }, opts);

export interface WebhookResponse {
  status: number;
  text: string;
}

/**
 * POSTs a payload to a server's webhook. `signature`: the header to send (default: signed with
 * `secret`; `null` sends none). `raw` sends bytes as given, for bodies that are not JSON.
 */
export async function postWebhook(serverUrl: string, payload: unknown, opts: { secret: string; signature?: string | null; raw?: string }): Promise<WebhookResponse> {
  const body = opts.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature = opts.signature === undefined ? sign(body, opts.secret) : opts.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const res = await fetch(`${serverUrl}/webhook/whatsapp`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

/** The body and headers of a signed webhook call, for a request helper of one's own. */
export function signedCall(payload: unknown, secret: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, secret) } };
}
