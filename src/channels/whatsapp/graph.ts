import { z } from 'zod';

/** Timings that tests shorten; the defaults suit the real Graph API. */
export interface GraphTuning {
  /** Extra attempts after a 429, a 5xx or a Graph rate-limit error. */
  retries: number;
  /** First backoff; it doubles each time, up to `maxDelayMs` (a `Retry-After` wins when sent). */
  baseDelayMs: number;
  maxDelayMs: number;
  requestTimeoutMs: number;
  downloadTimeoutMs: number;
}

export const GRAPH_TUNING: GraphTuning = { retries: 3, baseDelayMs: 1000, maxDelayMs: 15_000, requestTimeoutMs: 30_000, downloadTimeoutMs: 60_000 };

const GraphErrorBody = z.object({ error: z.object({ message: z.string().optional(), code: z.number().optional() }) });

/**
 * Graph answers some throttling with HTTP 400 and a code instead of a 429: 4 (app calls),
 * 80007 (WhatsApp account), 130429 (throughput), 131056 (too many messages to one user).
 */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131056]);

export class GraphError extends Error {
  constructor(readonly status: number, message: string, readonly code?: number) {
    super(message);
  }
}

/** The WhatsApp Cloud API under `whatsapp_api_base_url`, with the access token as Bearer. */
export class GraphClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly tuning: GraphTuning,
    /** Aborted by the adapter's `stop`: calls in flight fail at once instead of finishing late. */
    private readonly signal: AbortSignal,
  ) {}

  url(path: string): string {
    return `${this.base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  }

  get authHeader(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async get(path: string): Promise<unknown> {
    return this.call(path, { method: 'GET' });
  }

  async postJson(path: string, body: unknown): Promise<unknown> {
    return this.call(path, { method: 'POST', json: body });
  }

  /** A multipart POST (media upload); the form is rebuilt per attempt by `makeForm`. */
  async postForm(path: string, makeForm: () => FormData): Promise<unknown> {
    return this.call(path, { method: 'POST', form: makeForm });
  }

  private async call(path: string, req: { method: string; json?: unknown; form?: () => FormData }): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const signal = AbortSignal.any([this.signal, AbortSignal.timeout(this.tuning.requestTimeoutMs)]);
      const headers: Record<string, string> = { ...this.authHeader };
      let body: string | FormData | undefined;
      if (req.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(req.json);
      } else if (req.form) {
        body = req.form();
      }
      const res = await fetch(this.url(path), { method: req.method, headers, body, signal });
      const text = await res.text();
      let data: unknown = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        // a proxy's HTML error page: reported by status below
      }
      if (res.ok) return data;
      const graph = GraphErrorBody.safeParse(data);
      const code = graph.success ? graph.data.error.code : undefined;
      const message = graph.success && graph.data.error.message ? graph.data.error.message : `HTTP ${res.status}`;
      const retryable = res.status === 429 || res.status >= 500 || (code !== undefined && RATE_LIMIT_CODES.has(code));
      if (!retryable || attempt >= this.tuning.retries) throw new GraphError(res.status, message, code);
      await sleep(this.delay(attempt, res.headers.get('retry-after')), this.signal);
    }
  }

  private delay(attempt: number, retryAfter: string | null): number {
    const seconds = Number(retryAfter);
    if (retryAfter !== null && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, this.tuning.maxDelayMs);
    return Math.min(this.tuning.baseDelayMs * 2 ** attempt, this.tuning.maxDelayMs);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
