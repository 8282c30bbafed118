/**
 * The MCP routes' shapes (spec §3.10), shared by the server and the dashboard. Types only.
 * Fields marked "ours" are additions PocketPaw's clients ignore.
 */

/** PocketPaw's transports: `stdio`, `http` (the legacy HTTP+SSE transport) and `streamable-http`. */
export type McpTransport = 'stdio' | 'http' | 'streamable-http';

export interface McpToolInfo {
  name: string;
  description: string;
}

/** `GET /api/mcp/status`, per server. */
export interface McpServerStatus {
  connected: boolean;
  tool_count: number;
  error: string;
  transport: McpTransport;
  enabled: boolean;
  connecting?: boolean;
  registry_ref?: string;
  /** Ours: a connected server's tools (names and descriptions), so a client can show them. */
  tools?: McpToolInfo[];
}

/** `POST /api/mcp/test`, and a connection attempt's outcome. */
export interface McpConnectResult {
  connected: boolean;
  tools: McpToolInfo[];
  error?: string;
}

/**
 * Where a preset's server comes from (ours): `npm` / `pypi` download a package on first start,
 * which needs network access; `remote` is a hosted server; `local` a program the owner installs.
 */
export type PresetSource = 'npm' | 'pypi' | 'remote' | 'local';

export interface PresetEnvKey {
  key: string;
  label: string;
  required: boolean;
  placeholder: string;
  /** The value is a credential: the dashboard masks the field. */
  secret: boolean;
}

/** One entry of `GET /api/mcp/presets`, plus our `source` and `note`. */
export interface PresetListing {
  id: string;
  name: string;
  description: string;
  icon: string;
  category: string;
  package: string;
  transport: McpTransport;
  url: string;
  docs_url: string;
  needs_args: boolean;
  oauth: boolean;
  installed: boolean;
  env_keys: PresetEnvKey[];
  source: PresetSource;
  /** What installing it needs from this machine, in words; "" when nothing special. */
  note: string;
}

/** `POST /api/mcp/presets/install`. */
export interface PresetInstallResult extends McpConnectResult {
  status: 'ok';
  /** Ours, like the preset's: what the server needs to start. */
  source: PresetSource;
  note: string;
}
