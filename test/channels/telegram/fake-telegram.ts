import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MIME, NOT_MODIFIED, parseParams, readBody, reply, type UploadedPart } from './wire.js';

/**
 * A Telegram Bot API server on 127.0.0.1, speaking the real wire protocol: `/bot<token>/<method>`
 * with JSON, form or multipart parameters, `{ok:true,result}` / `{ok:false,error_code,description}`
 * answers with the same HTTP status, long polling with offsets, file downloads under
 * `/file/bot<token>/<path>`. Tests push user messages, inject failures and wait for calls.
 */

type Json = Record<string, unknown>;

export interface FakeBot {
  token: string;
  id: number;
  username: string;
  first_name: string;
}

export interface RecordedCall {
  method: string;
  token: string;
  params: Json;
  files: UploadedPart[];
  /** performance.now() when the request arrived. */
  at: number;
  /** How it was answered when not with success: an error code, or 'network' (connection dropped). */
  failed?: number | 'network';
}

export type Failure = { error_code: number; description?: string; retry_after?: number } | { network: true };

export interface PushMessage {
  chatId: number;
  fromId: number;
  text?: string;
  caption?: string;
  username?: string;
  firstName?: string;
  isBot?: boolean;
  /** Sent as an edit of an earlier message (an `edited_message` update). */
  edited?: boolean;
  photo?: Buffer;
  document?: { name: string; mime?: string; data: Buffer };
  /** Leave `file_size` out of the message, as Telegram may: the download itself must be capped. */
  hideFileSize?: boolean;
  /** Which bot receives it (default: the first). */
  token?: string;
}

/** A message the bot sent (or a file it uploaded), as the fake stores it. */
export interface SentRecord {
  chatId: number;
  messageId: number;
  text?: string;
  /** Every text it had, first the sent one, then each edit. */
  versions: string[];
  file?: { kind: 'photo' | 'document'; name: string; data: Buffer };
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  data: Buffer;
}

interface BotState {
  info: FakeBot;
  queue: Json[];
  /** The last `allowed_updates` asked for; null = every kind. */
  allowed: string[] | null;
  poll: { res: http.ServerResponse; timer: NodeJS.Timeout; limit: number } | null;
}

export class FakeTelegram {
  readonly calls: RecordedCall[] = [];
  readonly sent = new Map<string, SentRecord>();
  readonly bots = new Map<string, BotState>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly files = new Map<string, StoredFile>();
  private readonly waiters: Array<() => void> = [];
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private nextFileId = 1;
  private outage = false;
  private holding = false;

  private constructor(private readonly server: http.Server, readonly apiRoot: string, bots: FakeBot[]) {
    for (const info of bots) this.bots.set(info.token, { info, queue: [], allowed: null, poll: null });
  }

  static async start(bots: Array<Partial<FakeBot>> = [{}]): Promise<FakeTelegram> {
    const infos = bots.map((b, i) => ({
      token: b.token ?? `${7000000 + i}:AAF-fake-token-${i}_abcdefghijklmnopqrstu`,
      id: b.id ?? 7000000 + i,
      username: b.username ?? `paw_test${i}_bot`,
      first_name: b.first_name ?? 'Paw Test',
    }));
    let fake!: FakeTelegram;
    const server = http.createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeTelegram(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, infos);
    return fake;
  }

  /** The first bot's token. */
  get token(): string {
    return [...this.bots.keys()][0]!;
  }

  /** A user writes to the bot: queues a `message` (or `edited_message`) update. */
  pushMessage(m: PushMessage): { updateId: number; messageId: number } {
    const state = this.bots.get(m.token ?? this.token)!;
    const messageId = this.nextMessageId++;
    const message: Json = {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: m.chatId > 0 ? { id: m.chatId, type: 'private', first_name: m.firstName ?? 'Ada' } : { id: m.chatId, type: 'group', title: 'Group' },
      from: { id: m.fromId, is_bot: m.isBot ?? false, first_name: m.firstName ?? 'Ada', ...(m.username ? { username: m.username } : {}) },
    };
    if (m.text !== undefined) {
      message.text = m.text;
      const command = /^\/\w+/.exec(m.text);
      if (command) message.entities = [{ type: 'bot_command', offset: 0, length: command[0].length }];
    }
    if (m.caption !== undefined) message.caption = m.caption;
    if (m.photo) {
      // Telegram lists each photo in several sizes, smallest first.
      const small = this.storeFile(m.photo.subarray(0, Math.min(16, m.photo.length)), 'photos', 'jpg');
      const large = this.storeFile(m.photo, 'photos', 'jpg');
      message.photo = [
        { ...this.fileRef(small, m.hideFileSize), width: 90, height: 60 },
        { ...this.fileRef(large, m.hideFileSize), width: 1280, height: 853 },
      ];
    }
    if (m.document) {
      const ext = m.document.name.split('.').pop() ?? 'dat';
      const stored = this.storeFile(m.document.data, 'documents', ext);
      message.document = { ...this.fileRef(stored, m.hideFileSize), file_name: m.document.name, mime_type: m.document.mime ?? MIME[ext] ?? 'application/octet-stream' };
    }
    if (m.edited) message.edit_date = message.date;
    const updateId = this.nextUpdateId++;
    state.queue.push({ update_id: updateId, [m.edited ? 'edited_message' : 'message']: message });
    this.flushPoll(state);
    return { updateId, messageId };
  }

  /** The next `times` calls of `method` fail this way (before any other check but the token). */
  failNext(method: string, failure: Failure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  /** Network down: every connection is dropped (pending long polls too) until it is turned off. */
  setOutage(on: boolean): void {
    this.outage = on;
    if (!on) return;
    for (const state of this.bots.values()) {
      if (!state.poll) continue;
      clearTimeout(state.poll.timer);
      state.poll.res.socket?.destroy();
      state.poll = null;
    }
  }

  /** While on, pushed updates wait (no poll gets them); off delivers them all in one batch. */
  holdUpdates(on: boolean): void {
    this.holding = on;
    if (!on) for (const state of this.bots.values()) this.flushPoll(state);
  }

  /** Resolves with the first call of `method` (from call number `from` on) that matches. */
  waitFor(method: string, predicate: (c: RecordedCall) => boolean = () => true, opts: { from?: number; timeoutMs?: number } = {}): Promise<RecordedCall> {
    const from = opts.from ?? 0;
    const find = () => this.calls.slice(from).find((c) => c.method === method && predicate(c));
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return false;
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`fake Telegram: no ${method} call matched within ${opts.timeoutMs ?? 5000} ms (calls: ${this.calls.map((c) => c.method).join(', ')})`));
      }, opts.timeoutMs ?? 5000);
      const waiter = () => {
        if (check()) this.waiters.splice(this.waiters.indexOf(waiter), 1);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** Calls of one method (successful ones unless `all`). */
  callsOf(method: string, all = false): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && (all || c.failed === undefined));
  }

  async close(): Promise<void> {
    for (const state of this.bots.values()) if (state.poll) clearTimeout(state.poll.timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- the server ---------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.apiRoot);
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) return this.serveFile(fileMatch[1]!, decodeURIComponent(fileMatch[2]!), res);
    const apiMatch = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!apiMatch) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = apiMatch as unknown as [string, string, string];
    const { params, files } = parseParams(req, body, url);
    const call: RecordedCall = { method, token, params, files, at: performance.now() };
    this.calls.push(call);
    const state = this.bots.get(token);
    const failure = this.outage ? { network: true as const } : state ? this.failures.get(method)?.shift() : undefined;
    let answer: Json | 'held';
    if (failure && 'network' in failure) answer = 'held';
    else if (!state) answer = { ok: false, error_code: 401, description: 'Unauthorized' };
    else if (failure) {
      const description = failure.description ?? (failure.error_code === 429 ? `Too Many Requests: retry after ${failure.retry_after ?? 1}` : 'Internal Server Error');
      answer = { ok: false, error_code: failure.error_code, description, ...(failure.retry_after !== undefined ? { parameters: { retry_after: failure.retry_after } } : {}) };
    } else answer = this.dispatch(state, method, params, files, res);
    if (failure && 'network' in failure) {
      call.failed = 'network';
      req.socket.destroy();
    } else if (answer !== 'held') {
      if (!answer.ok) call.failed = answer.error_code as number;
      reply(res, answer.ok ? 200 : (answer.error_code as number), answer);
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
  private dispatch(state: BotState, method: string, p: Json, files: UploadedPart[], res: http.ServerResponse): Json | 'held' {
    const ok = (result: unknown) => ({ ok: true, result });
    const bad = (description: string) => ({ ok: false, error_code: 400, description: `Bad Request: ${description}` });
    const botUser = { id: state.info.id, is_bot: true, first_name: state.info.first_name, username: state.info.username };
    const chatOf = (): { id: number; type: string } | null => {
      const id = Number(p.chat_id);
      return Number.isSafeInteger(id) && id !== 0 ? { id, type: id > 0 ? 'private' : 'group' } : null;
    };
    switch (method) {
      case 'getMe':
        return ok({ ...botUser, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'deleteWebhook':
      case 'setMyCommands':
        return ok(true);
      case 'getUpdates':
        return this.getUpdates(state, p, res);
      case 'sendChatAction':
        if (!chatOf()) return bad('chat not found');
        return p.action ? ok(true) : bad('action is empty');
      case 'sendMessage': {
        const chat = chatOf();
        const text = typeof p.text === 'string' ? p.text : '';
        if (!chat) return bad('chat not found');
        if (text.trim() === '') return bad('message text is empty');
        if (text.length > 4096) return bad('message is too long');
        const messageId = this.nextMessageId++;
        this.sent.set(`${chat.id}:${messageId}`, { chatId: chat.id, messageId, text, versions: [text] });
        return ok({ message_id: messageId, from: botUser, chat, date: now(), text });
      }
      case 'editMessageText': {
        const chat = chatOf();
        const text = typeof p.text === 'string' ? p.text : '';
        if (!chat) return bad('chat not found');
        const record = this.sent.get(`${chat.id}:${Number(p.message_id)}`);
        if (!record) return bad('message to edit not found');
        if (text.trim() === '') return bad('message text is empty');
        if (text.length > 4096) return bad('MESSAGE_TOO_LONG');
        if (record.text === text) return bad(NOT_MODIFIED.slice('Bad Request: '.length));
        record.text = text;
        record.versions.push(text);
        return ok({ message_id: record.messageId, from: botUser, chat, date: now(), edit_date: now(), text });
      }
      case 'sendDocument':
      case 'sendPhoto': {
        const chat = chatOf();
        if (!chat) return bad('chat not found');
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        const ref = typeof p[field] === 'string' ? (p[field] as string) : '';
        const part = ref.startsWith('attach://') ? files.find((f) => f.field === ref.slice(9)) : files.find((f) => f.field === field);
        if (!part) return bad(`there is no ${field} in the request`);
        const ext = part.filename.split('.').pop() ?? 'dat';
        const stored = this.storeFile(part.data, method === 'sendPhoto' ? 'photos' : 'documents', method === 'sendPhoto' ? 'jpg' : ext);
        const messageId = this.nextMessageId++;
        this.sent.set(`${chat.id}:${messageId}`, { chatId: chat.id, messageId, versions: [], file: { kind: field, name: part.filename, data: part.data } });
        const media = field === 'photo'
          ? { photo: [{ ...this.fileRef(stored), width: 1280, height: 853 }] }
          : { document: { ...this.fileRef(stored), file_name: part.filename, mime_type: MIME[ext] ?? 'application/octet-stream' } };
        return ok({ message_id: messageId, from: botUser, chat, date: now(), ...media, ...(p.caption ? { caption: p.caption } : {}) });
      }
      case 'getFile': {
        const stored = this.files.get(String(p.file_id));
        if (!stored) return bad('invalid file_id');
        if (stored.data.length > 20 * 1024 * 1024) return bad('file is too big');
        return ok({ file_id: stored.file_id, file_unique_id: stored.file_unique_id, file_size: stored.data.length, file_path: stored.file_path });
      }
      default:
        return { ok: false, error_code: 404, description: 'Not Found' };
    }
  }

  private getUpdates(state: BotState, p: Json, res: http.ServerResponse): Json | 'held' {
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 100);
    const timeout = Math.max(Number(p.timeout ?? 0) || 0, 0);
    let allowed = p.allowed_updates;
    if (typeof allowed === 'string') allowed = JSON.parse(allowed);
    if (Array.isArray(allowed)) state.allowed = allowed.length > 0 ? allowed.map(String) : null;
    // The offset confirms every update below it: Telegram forgets them.
    if (offset > 0) state.queue = state.queue.filter((u) => (u.update_id as number) >= offset);
    if (state.poll) {
      // As Telegram: a second poller ends the first one with 409.
      clearTimeout(state.poll.timer);
      reply(state.poll.res, 409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
      state.poll = null;
    }
    const ready = this.eligible(state, limit);
    if (ready.length > 0 || timeout === 0) return { ok: true, result: ready };
    const timer = setTimeout(() => {
      if (state.poll?.res !== res) return;
      state.poll = null;
      reply(res, 200, { ok: true, result: [] });
    }, timeout * 1000);
    state.poll = { res, timer, limit };
    res.on('close', () => {
      if (state.poll?.res !== res) return;
      clearTimeout(timer);
      state.poll = null;
    });
    return 'held';
  }

  /** Updates the bot asked for; kinds it did not ask for are never stored, as on Telegram. */
  private eligible(state: BotState, limit: number): Json[] {
    if (this.holding) return [];
    if (state.allowed) {
      const kinds = state.allowed;
      state.queue = state.queue.filter((u) => kinds.some((k) => k in u));
    }
    return state.queue.slice(0, limit);
  }

  private flushPoll(state: BotState): void {
    if (!state.poll) return;
    const ready = this.eligible(state, state.poll.limit);
    if (ready.length === 0) return;
    const { res, timer } = state.poll;
    clearTimeout(timer);
    state.poll = null;
    reply(res, 200, { ok: true, result: ready });
  }

  private storeFile(data: Buffer, folder: string, ext: string): StoredFile {
    const n = this.nextFileId++;
    const stored = { file_id: `BQACAgFake${n}`, file_unique_id: `AgADfake${n}`, file_path: `${folder}/file_${n}.${ext}`, data };
    this.files.set(stored.file_id, stored);
    return stored;
  }

  private fileRef(f: StoredFile, hideSize = false): Json {
    return { file_id: f.file_id, file_unique_id: f.file_unique_id, ...(hideSize ? {} : { file_size: f.data.length }) };
  }

  private serveFile(token: string, filePath: string, res: http.ServerResponse): void {
    const stored = this.bots.has(token) ? [...this.files.values()].find((f) => f.file_path === filePath) : undefined;
    if (!stored) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stored.data.length });
    res.end(stored.data);
  }
}

const now = () => Math.floor(Date.now() / 1000);
