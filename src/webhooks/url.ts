import type { FastifyRequest } from 'fastify';
import type { Settings } from '../config/settings.js';

/**
 * The address a webhook's caller should use (spec §3.12): `<scheme>://<Host>/webhook/inbound/<name>`.
 * PocketPaw says https only when the Host is a Cloudflare quick tunnel; ours also when the request
 * came over TLS, or through a proxy listed in `trusted_proxies` that says so (X-Forwarded-Proto;
 * from anyone else that header proves nothing) — the same rule as the login cookie's Secure flag.
 */
export function inboundUrl(request: FastifyRequest, settings: Pick<Settings, 'trusted_proxies' | 'web_port'>, name: string): string {
  const host = request.headers.host || `localhost:${settings.web_port}`;
  const https = host.includes('trycloudflare') || overTls(request, settings);
  return `${https ? 'https' : 'http'}://${host}/webhook/inbound/${name}`;
}

function overTls(request: FastifyRequest, settings: Pick<Settings, 'trusted_proxies'>): boolean {
  if (request.protocol === 'https') return true;
  const peer = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const proto = String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase();
  return proto === 'https' && settings.trusted_proxies.includes(peer);
}
