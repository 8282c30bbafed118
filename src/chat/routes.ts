import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { MAX_SESSION_ID_LENGTH } from '../sessions/ids.js';
import type { AgentEvent } from './agent-events.js';
import type { MediaStore } from '../media/store.js';
import type { ChatService } from './service.js';
import { SseStream } from './sse.js';
import type { TurnEnd, TurnSink } from './turn-sink.js';

/**
 * The longest chat id whose stored session id — `websocket_<id>`, or `websocket_<id>_<8 hex>`
 * after `/new` — is still one the session store looks up (spec §11.5). Longer ids would store
 * messages that no later turn, rename or export could find.
 */
const MAX_CHAT_ID_LENGTH = MAX_SESSION_ID_LENGTH - 'websocket_'.length - '_00000000'.length;

const chatRequest = z.object({
  content: z.string().min(1, 'String should have at least 1 character').max(100_000, 'String should have at most 100000 characters'),
  session_id: z.string().min(1).max(MAX_CHAT_ID_LENGTH, `String should have at most ${MAX_CHAT_ID_LENGTH} characters`).nullable().optional(),
  media: z.array(z.string()).optional(),
});

const config = { scope: ['chat'] } as const;
const tags = ['chat'];
/** Spec §3.3: the blocking endpoint waits at most this long for each next event. */
const BLOCKING_EVENT_WAIT_MS = 120_000;

function usageBody(info: TurnEnd): Record<string, number> {
  return info.usage ? { ...info.usage } : {};
}

interface OpenStream {
  sse: SseStream;
  /** `/chat/stop` was called for this stream. */
  stopRequested: boolean;
}

/** REST chat (spec §3.3, §5.1). Output stays on this HTTP response, never on WebSockets. */
export function registerChatRoutes(app: FastifyInstance, chat: ChatService, media?: MediaStore): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const streams = new Map<string, OpenStream>();

  const chatIdOf = (sessionId: string | null | undefined) => sessionId ?? `api:${crypto.randomBytes(6).toString('hex')}`;

  r.post('/api/v1/chat/stream', { config, schema: { tags, summary: 'Chat with streamed Server-Sent Events', body: chatRequest } }, async (req, reply) => {
    // Spec §4.7: an uploaded file's id or a path in the media folder or the workspace; else 400 before anything runs.
    const attachments = media?.resolveRest(req.body.media, media.workspace());
    const chatId = chatIdOf(req.body.session_id);
    const baseKey = `websocket:${chatId}`;
    const sse = new SseStream(reply);
    const open: OpenStream = { sse, stopRequested: false };
    streams.set(chatId, open);
    sse.send('stream_start', { session_id: chatId });
    let failed = false;
    // Stopped before the turn got going (waiting for its session or a slot): stop it as soon as it runs.
    const stopIfRequested = () => {
      if (open.stopRequested) chat.stop(baseKey);
    };
    const sink: TurnSink = {
      started: () => undefined,
      text: (delta) => {
        stopIfRequested();
        sse.send('chunk', { content: delta, type: 'text' });
      },
      // The vision notice (spec §4.7) comes before the answer: a paragraph of its own.
      message: (content, notice) => sse.send('chunk', { content: notice === 'vision' ? `${content}\n\n` : content, type: 'text' }),
      event: (e: AgentEvent) => {
        stopIfRequested();
        if (e.type === 'thinking') sse.send('thinking', { content: e.delta });
        else if (e.type === 'tool_start') sse.send('tool_start', { tool: e.name, input: e.params ?? {} });
        else if (e.type === 'tool_result') sse.send('tool_result', { tool: e.name, output: e.result });
        else if (e.type === 'error') {
          failed = true;
          sse.send('error', { detail: e.message });
        }
      },
      end: (info) => {
        if (!failed) sse.send('stream_end', { session_id: chatId, usage: usageBody(info) });
        sse.end();
      },
    };
    // A client that goes away does not stop the turn: the answer is still stored.
    await chat.runTurn({ baseKey, text: req.body.content, metadata: { source: 'rest_api' }, attachments }, sink);
    if (streams.get(chatId) === open) streams.delete(chatId);
  });

  r.post('/api/v1/chat', { config, schema: { tags, summary: 'Chat and wait for the whole answer', body: chatRequest } }, async (req, reply) => {
    const attachments = media?.resolveRest(req.body.media, media.workspace());
    const chatId = chatIdOf(req.body.session_id);
    let content = '';
    let error: string | null = null;
    let usage: Record<string, number> = {};
    let answered = false;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const finish = () => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        // A provider failure is upstream trouble, so 502 rather than PocketPaw's 500.
        if (error !== null) resolve(reply.code(502).send({ detail: error }));
        else resolve({ session_id: chatId, content, usage });
      };
      const touch = () => {
        clearTimeout(timer);
        timer = setTimeout(finish, BLOCKING_EVENT_WAIT_MS);
      };
      touch();
      void chat.runTurn({ baseKey: `websocket:${chatId}`, text: req.body.content, metadata: { source: 'rest_api' }, attachments }, {
        started: touch,
        text: (d) => { content += d; touch(); },
        message: (m, notice) => { content += notice === 'vision' ? `${m}\n\n` : m; touch(); },
        event: (e) => {
          touch();
          if (e.type === 'error') error = e.message;
        },
        end: (info) => {
          usage = usageBody(info);
          finish();
        },
      });
    });
  });

  r.post('/api/v1/chat/stop', {
    config, schema: { tags, summary: 'Stop a streaming chat', querystring: z.object({ session_id: z.string().optional() }) },
  }, async (req) => {
    const chatId = req.query.session_id;
    if (!chatId) throw new HttpError(400, 'session_id is required');
    const open = streams.get(chatId);
    const streaming = open?.sse.isOpen === true;
    const stopped = chat.stop(`websocket:${chatId}`);
    if (!streaming && !stopped) throw new HttpError(404, 'No active stream for this session');
    if (open && streaming) {
      // End the stream now, even if the turn is still queued and cannot be aborted yet; the
      // turn stores what it has (with the interrupted marker) when the abort reaches it.
      open.stopRequested = true;
      open.sse.send('stream_end', { session_id: chatId, usage: {} });
      open.sse.end();
    }
    return { status: 'ok', session_id: chatId };
  });
}
