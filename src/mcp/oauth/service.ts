import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerFrame } from '../../protocol/index.js';
import type { McpOAuth, McpServerConfig } from '../types.js';
import { FLOW_TTL_MS, PendingFlows } from './pending-flows.js';
import { ServerOAuthProvider } from './provider.js';
import { callbackUrl, publicBaseUrl } from './public-url.js';
import { OAuthTokenStore } from './token-store.js';

export interface McpOAuthOptions {
  /** The data dir: sign-ins are kept in `<home>/mcp_oauth/<server>.json` (mode 600). */
  home: string;
  /** Every open dashboard (the live bus): receives `mcp_oauth_redirect` frames. */
  bus: { publish(frame: ServerFrame): void };
  /**
   * This server's public base url, e.g. `http://localhost:8888` (see `publicBaseUrl`), read when
   * a flow starts. Until `listeningAt` is called (the server knows its port once it listens) a
   * guess from the settings will do; after it, the bound address wins.
   */
  baseUrl: string | (() => string);
  /** Connects the server again once signed in (the MCP manager). A failure is reported, not thrown. */
  reconnect: (server: string) => Promise<unknown>;
  /** How long a flow waits for its callback (default 10 minutes). */
  ttlMs?: number;
  now?: () => number;
  /** For the code exchange (tests); the SDK's default fetch otherwise. */
  fetch?: FetchLike;
  /** Where a failed reconnect is reported (never with codes or tokens). */
  onReconnectError?: (server: string, error: unknown) => void;
}

/** The code exchange failed (the authorization server refused it); the message holds no secret. */
export class OAuthSignInError extends Error {
  constructor(readonly server: string) {
    super(`The sign-in to '${server}' could not be completed`);
  }
}

/**
 * Browser OAuth for remote MCP servers (spec §3.10): `providerFor` gives the manager's transport
 * an SDK auth provider; when the server needs a sign-in the provider publishes the authorization
 * url to the dashboards, and the callback route hands `code` and `state` to `complete`.
 */
export class McpOAuthService implements McpOAuth {
  private readonly store: OAuthTokenStore;
  private readonly flows: PendingFlows;
  private baseUrl: () => string;
  private ownPort: number | null = null;

  constructor(private readonly options: McpOAuthOptions) {
    this.store = new OAuthTokenStore(options.home);
    this.flows = new PendingFlows(options.now, options.ttlMs ?? FLOW_TTL_MS);
    const base = options.baseUrl;
    this.baseUrl = typeof base === 'string' ? () => base : base;
  }

  /** The server listens: redirect uris name this address from now on (`publicBaseUrl`). */
  listeningAt(host: string, port: number): void {
    const base = publicBaseUrl(host, port);
    this.baseUrl = () => base;
    this.ownPort = port;
  }

  /**
   * The fetch for OAuth requests (discovery, registration, the code exchange). The urls come
   * from a remote server's metadata, so they may name anything; never this server on loopback,
   * whose owner API trusts loopback callers without a credential. The manager's transport
   * should use it too (`new StreamableHTTPClientTransport(url, { authProvider, fetch })`).
   */
  readonly fetch: FetchLike = (url, init) => {
    const target = new URL(url);
    if (this.isSelf(target)) return Promise.reject(new Error(`Refused: ${target.origin} is PocketPaw itself`));
    return (this.options.fetch ?? globalThis.fetch)(url, init);
  };

  private isSelf(url: URL): boolean {
    if (this.ownPort === null) return false;
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0' || host === '::' || /^::ffff:(7f|127\.)/.test(host);
    return loopback && port === this.ownPort;
  }

  providerFor(server: McpServerConfig): OAuthClientProvider {
    return this.provider(server);
  }

  private provider(server: McpServerConfig, codeVerifier?: string): ServerOAuthProvider {
    return new ServerOAuthProvider({
      server: { ...server },
      store: this.store,
      flows: this.flows,
      codeVerifier,
      redirectUrl: () => callbackUrl(this.baseUrl()),
      onRedirect: (url, name) => this.options.bus.publish({ type: 'mcp_oauth_redirect', url: url.href, server: name }),
    });
  }

  /**
   * Finishes the flow `state` names: null when no flow waits for it (unknown, used, expired, or
   * never sent to the browser). The state is spent before the exchange, so it works once.
   * Throws OAuthSignInError when the authorization server refuses the code.
   */
  async complete(code: string, state: string): Promise<string | null> {
    const flow = this.flows.take(state);
    if (!flow?.redirected || !flow.codeVerifier) return null;
    const { server } = flow;
    try {
      // The MCP SDK loads on the first sign-in, not at start-up (issue 14).
      const { auth } = await import('@modelcontextprotocol/sdk/client/auth.js');
      const result = await auth(this.provider(server, flow.codeVerifier), { serverUrl: server.url, authorizationCode: code, fetchFn: this.fetch });
      if (result !== 'AUTHORIZED') throw new OAuthSignInError(server.name);
    } catch {
      throw new OAuthSignInError(server.name);
    }
    try {
      await this.options.reconnect(server.name);
    } catch (err) {
      this.options.onReconnectError?.(server.name, err);
    }
    return server.name;
  }

  /** Forgets a server's sign-in (its client registration and tokens): for when it is removed. */
  forget(server: string): void {
    this.store.remove(server);
  }

  /** Flows waiting for their callback (tests, status). */
  get pendingCount(): number {
    return this.flows.size;
  }

  close(): void {
    this.flows.clear();
  }
}
