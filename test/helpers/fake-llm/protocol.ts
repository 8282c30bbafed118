import type { OutgoingHttpHeaders } from 'node:http';
import type { CollectedOutput, StreamEncoder } from './exchange.js';
import type { Provider } from './types.js';

/** What a provider encoder needs to know about the response being produced. */
export interface ResponseContext {
  /** The parsed request body. */
  body: any;
  /** `body.model`, or a placeholder. */
  model: string;
  /** Server-unique sequence number, for response ids. */
  seq: number;
  /** Unix seconds. */
  created: number;
  usage: { input: number; output: number };
  hasToolCalls: boolean;
}

/** The wire format of one provider. */
export interface ProviderProtocol {
  provider: Provider;
  /** Whether the request asks for a streamed response. */
  isStream(body: any): boolean;
  streamHeaders: OutgoingHttpHeaders;
  /** HTTP error body for a non-2xx status. */
  httpError(status: number, message: string): unknown;
  /** Status used when an `error` step is hit in a non-streaming response. */
  nonStreamErrorStatus: number;
  encoder(ctx: ResponseContext): StreamEncoder;
  /** The full non-streaming response body. */
  completion(ctx: ResponseContext, output: CollectedOutput): unknown;
}
