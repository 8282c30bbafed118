/** The path the authorization server sends the owner's browser back to (spec §3.10). */
export const CALLBACK_PATH = '/api/mcp/oauth/callback';

/**
 * This server's base url as the owner's browser reaches it, from the address it is bound to:
 * a wildcard bind (`0.0.0.0`, `::`) is reached as `localhost` (the browser runs on this machine,
 * and loopback http redirect uris are what authorization servers accept for local apps), a
 * loopback or named bind as itself. Behind a proxy or on another machine's browser, pass the
 * public url explicitly instead.
 */
export function publicBaseUrl(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === '' || bare === '0.0.0.0' || bare === '::') return `http://localhost:${port}`;
  return `http://${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

/** `<base>/api/mcp/oauth/callback`, the base's trailing slash dropped. */
export function callbackUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}${CALLBACK_PATH}`;
}
