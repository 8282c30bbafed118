import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { McpServerConfig } from '../types.js';
import type { PendingFlows } from './pending-flows.js';
import type { OAuthTokenStore } from './token-store.js';

export interface ServerOAuthProviderDeps {
  server: McpServerConfig;
  store: OAuthTokenStore;
  flows: PendingFlows;
  /** This server's callback url, read when needed (the port is known once the server listens). */
  redirectUrl: () => string;
  /** Sends the owner's browser to the authorization url (a live-bus frame). */
  onRedirect: (url: URL, server: string) => void;
  /** Set when finishing a flow: that flow's PKCE verifier. */
  codeVerifier?: string;
}

/**
 * The MCP SDK's OAuth client for one remote server (authorization code + PKCE, dynamic client
 * registration as the SDK does it). Client information, tokens and discovery are kept in the
 * server's record in the data dir; the `state` and the PKCE verifier belong to the pending flow.
 */
export class ServerOAuthProvider implements OAuthClientProvider {
  private issuedState: string | undefined;
  private verifier: string | undefined;

  constructor(private readonly deps: ServerOAuthProviderDeps) {
    this.verifier = deps.codeVerifier;
  }

  private get name(): string {
    return this.deps.server.name;
  }

  private get url(): string {
    return this.deps.server.url;
  }

  get redirectUrl(): string {
    return this.deps.redirectUrl();
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'PocketPaw',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A public client: nothing secret to keep; PKCE protects the code.
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    this.issuedState = this.deps.flows.issue(this.deps.server);
    return this.issuedState;
  }

  /** Registered for another redirect uri (the port changed): reads as none, so the SDK registers again. */
  clientInformation(): OAuthClientInformationMixed | undefined {
    const record = this.deps.store.read(this.name, this.url);
    return record.redirect_uri === this.redirectUrl ? record.client_information : undefined;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    const redirectUri = this.redirectUrl;
    this.deps.store.update(this.name, this.url, (r) => {
      r.client_information = info;
      r.redirect_uri = redirectUri;
    });
  }

  tokens(): OAuthTokens | undefined {
    return this.deps.store.read(this.name, this.url).tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.deps.store.update(this.name, this.url, (r) => void (r.tokens = tokens));
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
    const flow = this.issuedState ? this.deps.flows.peek(this.issuedState) : null;
    if (flow) flow.codeVerifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error(`No sign-in to '${this.name}' is in progress`);
    return this.verifier;
  }

  /**
   * Only http(s) urls carrying the state this provider issued reach the dashboard, which opens
   * them: a server's metadata cannot make it open `javascript:` or a flow it did not start.
   */
  redirectToAuthorization(url: URL): void {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error(`'${this.name}' named an authorization endpoint that is not http(s)`);
    }
    const state = url.searchParams.get('state');
    const flow = state && state === this.issuedState ? this.deps.flows.peek(state) : null;
    if (!flow) throw new Error(`The sign-in to '${this.name}' expired before the browser was sent`);
    flow.redirected = true;
    this.deps.onRedirect(url, this.name);
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'verifier') {
      this.verifier = undefined;
      return;
    }
    if (scope === 'all') return this.deps.store.remove(this.name);
    this.deps.store.update(this.name, this.url, (r) => {
      if (scope === 'client') {
        delete r.client_information;
        delete r.redirect_uri;
      }
      if (scope === 'tokens') delete r.tokens;
      if (scope === 'discovery') delete r.discovery;
    });
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.deps.store.update(this.name, this.url, (r) => void (r.discovery = state));
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.deps.store.read(this.name, this.url).discovery;
  }
}
