import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';

/**
 * The browser boundary (SECURITY.md). Ambient credentials — the localhost bypass and the login
 * cookie — are sent by a browser on its own, whatever page made the request. They count only
 * for requests no page on another origin could have made; a token in a header or `?token=`
 * proves itself and is not limited here.
 */

/**
 * Headers a forwarder adds. Any of them means the request was relayed from somewhere else, so
 * the loopback peer address says nothing about who sent it.
 */
export const FORWARDING_HEADERS = [
  'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-server',
  'x-real-ip', 'forwarded', 'cf-connecting-ip', 'true-client-ip', 'x-client-ip', 'x-cluster-client-ip',
  'fastly-client-ip', 'x-original-forwarded-for', 'via',
] as const;

/** Origins of PocketPaw's desktop app: custom schemes no web page can have. */
export const APP_ORIGINS: ReadonlySet<string> = new Set(['tauri://localhost', 'https://tauri.localhost']);

const OWNER_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The TCP peer is this machine's own loopback address (spec §2.4: 127.0.0.2 is not the owner). */
export function isOwnerPeer(peer: string | undefined): boolean {
  return peer !== undefined && OWNER_PEERS.has(peer);
}

export function hasForwardingHeader(headers: IncomingHttpHeaders): boolean {
  return FORWARDING_HEADERS.some((h) => headers[h] !== undefined);
}

/** `host[:port]` → lower-case host name without brackets or port; null when malformed. */
export function hostnameOf(hostHeader: string): string | null {
  const h = hostHeader.trim().toLowerCase();
  if (!h) return null;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    const rest = h.slice(end + 1);
    if (rest && !/^:\d{1,5}$/.test(rest)) return null;
    return h.slice(1, end);
  }
  const m = /^([^:]+)(?::\d{1,5})?$/.exec(h);
  return m ? m[1]! : null;
}

/** Names that always mean this machine: a DNS rebinding attack cannot take them over. */
function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (net.isIPv4(name)) return name.startsWith('127.');
  return name === '::1';
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/**
 * `Host` names this server: a loopback name, or the address it was told to listen on. Any
 * other name reaching a loopback socket is DNS rebinding (a page's own domain pointed at
 * 127.0.0.1) or a forwarder that kept the outside name.
 */
export function isOwnHost(hostHeader: string | undefined, listenHost: string | undefined): boolean {
  if (!hostHeader) return false;
  const name = hostnameOf(hostHeader);
  if (!name) return false;
  if (isLoopbackName(name)) return true;
  const bound = (listenHost ?? '').trim().toLowerCase().replace(/^\[|\]$/g, '');
  return !WILDCARD.has(bound) && name === bound;
}

export interface BrowserMarks {
  origin?: string;
  secFetchSite?: string;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function browserMarksOf(headers: IncomingHttpHeaders): BrowserMarks {
  return { origin: single(headers.origin), secFetchSite: single(headers['sec-fetch-site']) };
}

export type BoundaryVerdict = { ok: true } | { ok: false; detail: string };

/**
 * May an ambient credential carry this request? When the browser says where the request came
 * from (`Origin`, or `Sec-Fetch-Site` without one), it must be this server's own origin — the
 * origin whose host is the `Host` the request was sent to — or one the owner listed in
 * `api_cors_allowed_origins`. A request without such marks is a program (curl, a script), not
 * a page, and keeps working as it does against PocketPaw.
 */
export function checkBrowserOrigin(
  headers: IncomingHttpHeaders, allowedOrigins: readonly string[],
): BoundaryVerdict {
  const { origin, secFetchSite } = browserMarksOf(headers);
  if (origin !== undefined) {
    if (origin === 'null') return { ok: false, detail: 'Cross-origin request refused: a page with an opaque origin (a local file or a sandboxed frame) cannot use this browser\'s sign-in' };
    if (APP_ORIGINS.has(origin) || allowedOrigins.includes(origin)) return { ok: true };
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return { ok: false, detail: 'Cross-origin request refused: malformed Origin header' };
    }
    const host = single(headers.host)?.trim().toLowerCase();
    if (host && originHost === host) return { ok: true };
    return {
      ok: false,
      detail: `Cross-origin request refused: ${origin} is not this server's origin. Send the access token, or add the origin to api_cors_allowed_origins`,
    };
  }
  if (secFetchSite === 'cross-site' || secFetchSite === 'same-site') {
    return { ok: false, detail: 'Cross-origin request refused: this request came from another site\'s page' };
  }
  return { ok: true };
}
