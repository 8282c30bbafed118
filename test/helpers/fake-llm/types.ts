import type { IncomingHttpHeaders } from 'node:http';

/** One scripted event of a fake model response, emitted in order. */
export type FakeStep =
  /** One text delta. */
  | { text: string }
  /** One reasoning/thinking delta. */
  | { reasoning: string }
  /**
   * One tool call. `args` is JSON-serialised; a string is sent verbatim (so a test can send
   * malformed JSON arguments). `id` defaults to a unique generated one (`call_1`, `call_2`, ...).
   */
  | { toolCall: { id?: string; name: string; args: unknown } }
  /** Pause before the next step. */
  | { delayMs: number }
  /** A malformed line written into the stream (SSE: as `data: <garbage>`; NDJSON: as a raw line). */
  | { garbage: string }
  /** A provider error event mid-stream (format per provider); ends the response. */
  | { error: string }
  /** Stop writing; keep the connection open until the client goes away. */
  | { hang: true }
  /** Destroy the socket abruptly. */
  | { destroy: true };

export interface FakeResponse {
  steps?: FakeStep[];
  /** Non-2xx: an error body in the provider's format is sent instead of a stream. */
  status?: number;
  errorMessage?: string;
  /** Token usage reported to the client; defaults to an estimate from request and output sizes. */
  usage?: { input: number; output: number };
  /** Delay before sending the response headers (a provider slow to answer). */
  headersDelayMs?: number;
  /** Extra response headers, e.g. `{ 'retry-after-ms': '0' }` so SDK retries of an error are instant. */
  headers?: Record<string, string>;
}

export type Provider = 'openai' | 'anthropic' | 'ollama';

export interface RecordedRequest {
  provider: Provider;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (the raw text if it was not valid JSON). */
  body: any;
  stream: boolean;
  /** The client closed the connection before the fake finished its response. */
  aborted: boolean;
}

export type Responder = FakeResponse | ((req: RecordedRequest) => FakeResponse);

/** A model in a fake model list: its id, or the id with Anthropic's display name. */
export type ModelSpec = string | { id: string; display_name?: string };

/** What the model-list endpoints answer, per wire format (unset: a one-model default). */
export interface FakeModelLists {
  openai?: ModelSpec[];
  anthropic?: ModelSpec[];
  ollama?: ModelSpec[];
}

export interface FakeLlm {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `${url}/v1`, for `createOpenAI` / `createOpenAICompatible` `baseURL`. */
  openaiBaseUrl: string;
  /** `${url}/v1`, for `createAnthropic` `baseURL`. */
  anthropicBaseUrl: string;
  /** `${url}`, the Ollama host. */
  ollamaHost: string;
  /** FIFO, one response consumed per model request (any provider). */
  enqueue(...responses: Responder[]): void;
  /** Used when the queue is empty (initially a short text reply "Hello from the fake model."). */
  setDefault(r: Responder): void;
  /** Every model request received, in arrival order. */
  requests: RecordedRequest[];
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolves when request #index (0-based, in `requests`) was aborted by the client. */
  waitForAbort(index: number, timeoutMs?: number): Promise<void>;
  /**
   * Model-list requests (`GET /v1/models`, `/models`, `/api/tags`), not counted in `requests`;
   * `provider` is the wire format answered (Anthropic when the request has `anthropic-version`).
   */
  listRequests: RecordedRequest[];
  /** Sets the lists the model-list endpoints answer (merged with earlier calls). */
  setModels(lists: FakeModelLists): void;
  /** OpenAI/Anthropic model lists answer 401 (echoing the key they got) unless the request carries this key; null: no check. */
  requireKey(key: string | null): void;
  /** Delay before the model-list endpoints answer (a slow or stuck server). */
  setListDelay(ms: number): void;
  /** Clears queue, default, requests, model lists, the required key and the list delay. */
  reset(): void;
  /** Closes the server and destroys open sockets (including hung streams). */
  close(): Promise<void>;
}
