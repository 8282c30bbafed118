import type http from 'node:http';
import type { FakeWorld, RecordedFile, StoredMessage, WireUser } from './fake-discord-world.js';
import { snowflake } from './fake-discord-world.js';

/**
 * The fake's REST side, Discord API v10 under `/api/v10`: bot-token auth (401 otherwise), the
 * gateway's address (`GET /gateway/bot`, which is how discord.js finds the fake gateway), channel
 * messages as JSON or multipart (`payload_json` + `files[n]`), edits, typing, and the CDN path
 * attachments are downloaded from. Queued failures answer like Discord: 429 with `Retry-After`
 * and `X-RateLimit-*` headers, or a bare 5xx.
 */

export interface RestHooks {
  /** `ws://…` the gateway listens on (or a test's override). */
  gatewayUrl(): string;
  /** Accept any token on REST, so the gateway's own check (close 4004) can be tested. */
  restAcceptsAnyToken: boolean;
  /** A message the bot sent or edited, so the gateway can echo it as Discord does. */
  onBotMessage(event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: Record<string, unknown>): void;
}

const ROUTES: { method: string; re: RegExp; route: string }[] = [
  { method: 'GET', re: /^\/gateway\/bot$/, route: 'GET /gateway/bot' },
  { method: 'GET', re: /^\/users\/@me$/, route: 'GET /users/@me' },
  { method: 'GET', re: /^\/channels\/(\d+)$/, route: 'GET /channels/:id' },
  { method: 'POST', re: /^\/channels\/(\d+)\/messages$/, route: 'POST /channels/:id/messages' },
  { method: 'PATCH', re: /^\/channels\/(\d+)\/messages\/(\d+)$/, route: 'PATCH /channels/:id/messages/:mid' },
  { method: 'POST', re: /^\/channels\/(\d+)\/typing$/, route: 'POST /channels/:id/typing' },
];

const MAX_CONTENT = 2000;

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** JSON, or multipart/form-data with `payload_json` and `files[n]` (how discord.js uploads). */
async function parseBody(req: http.IncomingMessage): Promise<{ json?: Record<string, unknown>; files: RecordedFile[] }> {
  const raw = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { files: [] };
  if (type.startsWith('multipart/form-data')) {
    // The platform's own multipart parser (undici) reads exactly what a real server would receive.
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
    const files: RecordedFile[] = [];
    let json: Record<string, unknown> | undefined;
    for (const [field, value] of form.entries()) {
      if (field === 'payload_json' && typeof value === 'string') json = JSON.parse(value) as Record<string, unknown>;
      else if (typeof value !== 'string') files.push({ field, name: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
    }
    return { json, files };
  }
  return { json: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
}

function rateLimited(res: http.ServerResponse, retryAfter: number, global: boolean): void {
  const headers: Record<string, string> = {
    'retry-after': String(retryAfter),
    'x-ratelimit-limit': '5',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(Date.now() / 1000 + retryAfter),
    'x-ratelimit-reset-after': String(retryAfter),
    'x-ratelimit-bucket': 'fakebucket0001',
    'x-ratelimit-scope': global ? 'global' : 'user',
  };
  if (global) headers['x-ratelimit-global'] = 'true';
  send(res, 429, { message: 'You are being rate limited.', retry_after: retryAfter, global }, headers);
}

export async function handleRest(world: FakeWorld, hooks: RestHooks, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = req.method ?? 'GET';

  const file = world.files.get(url.pathname);
  if (method === 'GET' && file) {
    if (world.downloadGate) {
      world.downloadsWaiting += 1;
      world.changed();
      await world.downloadGate;
      world.downloadsWaiting -= 1;
    }
    world.record({ method, path: url.pathname, route: 'GET /attachments', files: [], status: 200 });
    res.writeHead(200, { 'content-type': file.type, 'content-length': String(file.data.length) }).end(file.data);
    return;
  }
  if (!url.pathname.startsWith('/api/v10/')) return send(res, 404, { message: '404: Not Found', code: 0 });

  const path = url.pathname.slice('/api/v10'.length);
  const match = ROUTES.map((r) => ({ r, m: method === r.method ? r.re.exec(path) : null })).find((x) => x.m);
  const route = match?.r.route ?? `${method} ${path}`;
  const body = await parseBody(req);
  let status = 0;
  const answer = (code: number, payload?: unknown, headers?: Record<string, string>) => {
    status = code;
    send(res, code, payload, headers);
  };

  try {
    if (!hooks.restAcceptsAnyToken && req.headers.authorization !== `Bot ${world.token}`) {
      return answer(401, { message: '401: Unauthorized', code: 0 });
    }
    const failure = world.takeFailure(route);
    if (failure) {
      status = failure.status;
      if (failure.status === 429) return rateLimited(res, failure.retry_after ?? 1, failure.global ?? false);
      return answer(failure.status, { message: 'Internal Server Error', code: 0 });
    }
    if (!match?.m) return answer(404, { message: '404: Not Found', code: 0 });
    const [, id = '', mid = ''] = match.m;
    switch (match.r.route) {
      case 'GET /gateway/bot':
        return answer(200, {
          url: hooks.gatewayUrl(), shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
        });
      case 'GET /users/@me':
        return answer(200, world.bot);
      case 'GET /channels/:id':
        if (!world.channels.has(id)) return answer(404, { message: 'Unknown Channel', code: 10003 });
        return answer(200, world.wireChannel(id));
      case 'POST /channels/:id/typing':
        if (!world.channels.has(id)) return answer(404, { message: 'Unknown Channel', code: 10003 });
        return answer(204);
      case 'POST /channels/:id/messages':
        return createMessage(world, hooks, id, body, answer);
      case 'PATCH /channels/:id/messages/:mid':
        return editMessage(world, hooks, id, mid, body, answer);
    }
  } finally {
    world.record({ method, path, route, json: body.json, files: body.files, status });
  }
}

type Answer = (code: number, payload?: unknown) => void;

function tooLong(content: string): unknown {
  return {
    message: 'Invalid Form Body', code: 50035,
    errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_CONTENT} or fewer in length.` }] } },
  };
}

function createMessage(world: FakeWorld, hooks: RestHooks, channelId: string, body: { json?: Record<string, unknown>; files: RecordedFile[] }, answer: Answer): void {
  if (!world.channels.has(channelId)) return answer(404, { message: 'Unknown Channel', code: 10003 });
  const content = typeof body.json?.content === 'string' ? body.json.content : '';
  if (content.length > MAX_CONTENT) return answer(400, tooLong(content));
  if (content === '' && body.files.length === 0) return answer(400, { message: 'Cannot send an empty message', code: 50006 });
  const attachments = body.files.map((f) => world.storeAttachment(channelId, f.name, f.type || 'application/octet-stream', f.data));
  const stored: StoredMessage = { id: snowflake(), channelId, content, attachments, edits: [] };
  world.messages.set(stored.id, stored);
  const wire = world.wireMessage({ ...stored, author: world.bot as WireUser, mentions: [] });
  answer(200, wire);
  hooks.onBotMessage('MESSAGE_CREATE', withGuild(world, wire));
}

function editMessage(world: FakeWorld, hooks: RestHooks, channelId: string, messageId: string, body: { json?: Record<string, unknown> }, answer: Answer): void {
  const stored = world.messages.get(messageId);
  if (!stored || stored.channelId !== channelId) return answer(404, { message: 'Unknown Message', code: 10008 });
  const content = typeof body.json?.content === 'string' ? body.json.content : stored.content;
  if (content.length > MAX_CONTENT) return answer(400, tooLong(content));
  stored.content = content;
  stored.edits.push(content);
  const wire = world.wireMessage({ ...stored, author: world.bot, mentions: [], edited: true });
  answer(200, wire);
  hooks.onBotMessage('MESSAGE_UPDATE', withGuild(world, wire));
}

/** Gateway events for guild channels carry `guild_id`; REST answers do not need it. */
function withGuild(world: FakeWorld, wire: Record<string, unknown>): Record<string, unknown> {
  const guildId = world.channels.get(String(wire.channel_id));
  return guildId ? { ...wire, guild_id: guildId, channel_type: 0 } : { ...wire, channel_type: 1 };
}
