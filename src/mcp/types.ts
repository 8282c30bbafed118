import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { McpTransport } from '../protocol/mcp.js';

export type { McpConnectResult, McpServerStatus, McpToolInfo, McpTransport } from '../protocol/mcp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * The MCP layer's shapes (spec §3.10), shared by the server manager, the routes, presets and
 * OAuth. Extend them; do not change what a field means.
 */

/** One entry of `mcp_servers.json` (`{"servers":[...]}`), PocketPaw's fields plus ours. */
export interface McpServerConfig {
  name: string;
  transport: McpTransport;
  command: string;
  args: string[];
  url: string;
  env: Record<string, string>;
  enabled: boolean;
  /** Seconds a call may take before it is abandoned (PocketPaw's default 30). */
  timeout: number;
  /** The remote server needs browser OAuth (PKCE). */
  oauth?: boolean;
  /** Ours, stdio only: what the sandbox lets the server reach. Default: no network, the workspace only. */
  sandbox?: { network?: boolean; folders?: string[] };
}

/** Browser OAuth for remote servers; `oauth/` implements it, the manager uses it for servers with `oauth`. */
export interface McpOAuth {
  /** The SDK auth provider for one server: stored tokens, PKCE, and the redirect to the browser. */
  providerFor(server: McpServerConfig): OAuthClientProvider;
  /** Finishes the flow the callback names; the server's name, or null when no flow has this state. */
  complete(code: string, state: string): Promise<string | null>;
  /**
   * A fetch for an OAuth server's transport: its auth requests go to urls the remote server's
   * metadata names, and this one refuses PocketPaw itself on loopback (src/mcp/oauth/service.ts).
   */
  fetch?: FetchLike;
}
