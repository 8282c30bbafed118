import http from 'node:http';
import type { Socket } from 'node:net';
import { anthropicProtocol } from './anthropic.js';
import { collectSteps, Exchange, runStream } from './exchange.js';
import { ollamaProtocol } from './ollama.js';
import { openaiProtocol } from './openai.js';
import type { ProviderProtocol, ResponseContext } from './protocol.js';
import { defaultResponse, hasToolCalls, outputChars, resolveUsage } from './script.js';
import type { FakeLlm, FakeModelLists, FakeResponse, ModelSpec, RecordedRequest, Responder } from './types.js';

const ROUTES: Record<string, ProviderProtocol> = {
  '/v1/chat/completions': openaiProtocol,
  '/v1/messages': anthropicProtocol,
  '/api/chat': ollamaProtocol,
};

/** Read-only endpoints clients use to probe reachability; not recorded, consume nothing. */
const PROBES: Record<string, unknown> = {
  '/api/tags': { models: [{ name: 'llama3.2', model: 'llama3.2', modified_at: '2024-01-01T00:00:00Z', size: 1 }] },
  '/api/version': { version: '0.12.0' },
  '/v1/models': { object: 'list', data: [{ id: 'gpt-test', object: 'model', created: 0, owned_by: 'fake' }] },
};

const DEFAULT_WAIT_MS = 5_000;

/**
 * The model-list endpoints (`GET /v1/models` and `/models` for OpenAI-style clients and, with an
 * `anthropic-version` header, Anthropic; `GET /api/tags` for Ollama), shaped as each provider
 * answers. Lists come from `setModels`; without one the PROBES bodies above are answered.
 */
function modelListBody(kind: 'openai' | 'anthropic' | 'ollama', models: ModelSpec[]): unknown {
  const norm = models.map((m) => (typeof m === 'string' ? { id: m } : m));
  if (kind === 'ollama') {
    return { models: norm.map((m) => ({ name: m.id, model: m.id, modified_at: '2024-01-01T00:00:00Z', size: 1 })) };
  }
  if (kind === 'anthropic') {
    const data = norm.map((m) => ({ type: 'model', id: m.id, display_name: m.display_name ?? m.id, created_at: '2025-01-01T00:00:00Z' }));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  }
  return { object: 'list', data: norm.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: 'fake' })) };
}

function keyOf(req: http.IncomingMessage): string {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const x = req.headers['x-api-key'];
  return typeof x === 'string' ? x : '';
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client went away before sending the whole body'));
    });
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Starts the fake LLM server on 127.0.0.1 with an ephemeral port. */
export async function startFakeLlm(): Promise<FakeLlm> {
  const queue: Responder[] = [];
  let fallback: Responder = defaultResponse();
  const requests: RecordedRequest[] = [];
  const listeners = new Set<() => void>();
  const sockets = new Set<Socket>();
  let seq = 0;
  let toolSeq = 0;
  let modelLists: FakeModelLists = {};
  let requiredKey: string | null = null;
  let listDelayMs = 0;
  const listRequests: RecordedRequest[] = [];
  const nextToolId = () => `call_${++toolSeq}`;

  const notify = () => {
    for (const l of [...listeners]) l();
  };

  async function serve(ex: Exchange, protocol: ProviderProtocol, record: RecordedRequest, response: FakeResponse) {
    const steps = response.steps ?? [];
    const extraHeaders = response.headers ?? {};
    if (response.headersDelayMs) await ex.sleep(response.headersDelayMs);
    if (ex.closed) return;

    const status = response.status ?? 200;
    if (status < 200 || status > 299) {
      ex.json(status, protocol.httpError(status, response.errorMessage ?? `Fake ${protocol.provider} error (HTTP ${status})`), extraHeaders);
      return;
    }

    const body = record.body;
    const ctx: ResponseContext = {
      body,
      model: typeof body?.model === 'string' ? body.model : 'fake-model',
      seq: ++seq,
      created: Math.floor(Date.now() / 1000),
      usage: resolveUsage(response, body?.messages ?? body, outputChars(steps)),
      hasToolCalls: hasToolCalls(steps),
    };

    if (record.stream) {
      ex.head(status, { ...protocol.streamHeaders, ...extraHeaders });
      await runStream(ex, steps, protocol.encoder(ctx), nextToolId);
      return;
    }

    const result = await collectSteps(ex, steps, nextToolId);
    switch (result.kind) {
      case 'ok':
        ex.json(status, protocol.completion(ctx, result.output), extraHeaders);
        return;
      case 'error': {
        const errStatus = protocol.nonStreamErrorStatus;
        ex.json(errStatus, protocol.httpError(errStatus, result.message), extraHeaders);
        return;
      }
      case 'garbage':
        ex.head(status, { 'content-type': 'application/json', ...extraHeaders });
        ex.end(result.raw);
        return;
      case 'gone':
        return;
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const ex = new Exchange(req, res);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;

    if (req.method === 'GET' && (path === '/v1/models' || path === '/models' || path === '/api/tags')) {
      const kind = path === '/api/tags' ? 'ollama' : req.headers['anthropic-version'] ? 'anthropic' : 'openai';
      listRequests.push({ provider: kind, path, headers: req.headers, body: undefined, stream: false, aborted: false });
      if (listDelayMs) await ex.sleep(listDelayMs);
      if (ex.closed) return;
      if (kind !== 'ollama' && requiredKey !== null && keyOf(req) !== requiredKey) {
        // Like a careless server, the refusal repeats the key it got (tests check it never leaks further).
        const message = `Incorrect API key provided: ${keyOf(req) || '(none)'}`;
        ex.json(401, kind === 'anthropic' ? anthropicProtocol.httpError(401, message) : openaiProtocol.httpError(401, message));
        return;
      }
      const list = modelLists[kind];
      ex.json(200, list ? modelListBody(kind, list) : PROBES[path === '/models' ? '/v1/models' : path]);
      return;
    }
    if (req.method === 'GET' && path in PROBES) {
      ex.json(200, PROBES[path]);
      return;
    }
    const protocol = ROUTES[path];
    if (!protocol || req.method !== 'POST') {
      ex.json(404, { error: `fake-llm: no route for ${req.method} ${path}` });
      return;
    }

    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return; // client went away while sending
    }
    if (ex.closed) return;

    let body: any = raw;
    let parsed = true;
    try {
      body = JSON.parse(raw);
    } catch {
      parsed = false;
    }
    const record: RecordedRequest = {
      provider: protocol.provider,
      path,
      headers: req.headers,
      body,
      stream: parsed ? protocol.isStream(body) : false,
      aborted: false,
    };
    requests.push(record);
    ex.onAbort(() => {
      record.aborted = true;
      notify();
    });
    notify();

    if (!parsed) {
      ex.json(400, protocol.httpError(400, 'fake-llm: request body is not valid JSON'));
      return;
    }

    let response: FakeResponse;
    try {
      const responder = queue.length > 0 ? queue.shift()! : fallback;
      response = typeof responder === 'function' ? responder(record) : responder;
    } catch (err) {
      ex.json(500, protocol.httpError(500, `fake-llm: responder threw: ${errorMessage(err)}`));
      return;
    }
    await serve(ex, protocol, record, response);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Never let a scripted response crash the test process.
      try {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: `fake-llm internal error: ${errorMessage(err)}` }));
        } else {
          res.destroy();
        }
      } catch {
        // ignore
      }
    });
  });
  server.keepAliveTimeout = 1_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake-llm: unexpected server address');
  const url = `http://127.0.0.1:${address.port}`;

  function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const listener = () => {
        const value = check();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake-llm: timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
    });
  }

  let closed: Promise<void> | undefined;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: `${url}/v1`,
    ollamaHost: url,
    requests,
    enqueue(...responses: Responder[]) {
      queue.push(...responses);
    },
    setDefault(r: Responder) {
      fallback = r;
    },
    waitForRequests(n: number, timeoutMs = DEFAULT_WAIT_MS) {
      return waitFor(
        () => (requests.length >= n ? [...requests] : undefined),
        timeoutMs,
        () => `${n} request(s) (got ${requests.length})`,
      );
    },
    waitForAbort(index: number, timeoutMs = DEFAULT_WAIT_MS) {
      return waitFor(
        () => (requests[index]?.aborted ? (true as const) : undefined),
        timeoutMs,
        () =>
          requests[index]
            ? `request #${index} to be aborted by the client`
            : `request #${index} to arrive and be aborted (got ${requests.length} requests)`,
      ).then(() => undefined);
    },
    listRequests,
    setModels(lists: FakeModelLists) {
      modelLists = { ...modelLists, ...lists };
    },
    requireKey(key: string | null) {
      requiredKey = key;
    },
    setListDelay(ms: number) {
      listDelayMs = ms;
    },
    reset() {
      queue.length = 0;
      fallback = defaultResponse();
      requests.length = 0;
      listRequests.length = 0;
      modelLists = {};
      requiredKey = null;
      listDelayMs = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closed;
    },
  };
}
