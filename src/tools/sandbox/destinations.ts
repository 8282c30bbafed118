import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import type { Settings } from '../../config/settings.js';
import { isPrivateAddress } from '../web/net-guard.js';

/**
 * Which destinations the sandbox proxy connects to. The rules, in order:
 * 1. `sandbox_network` none: nothing.
 * 2. allowlist: the host name must match `sandbox_allowed_domains` (`example.com` exactly, or
 *    `*.example.com` for its subdomains).
 * 3. Every address the name resolves to is checked (then the proxy connects to that address, not
 *    the name again, so DNS rebinding cannot swap it): PocketPaw's own port(s) on loopback or on
 *    this machine's addresses are always refused — reaching the owner API from 127.0.0.1 would
 *    pass the localhost auth bypass; loopback, private, link-local and unspecified addresses are
 *    refused unless that exact host name is listed (a `*.` pattern is not enough).
 */

export type NetworkMode = Settings['sandbox_network'];

export interface DestinationPolicy {
  mode: NetworkMode;
  domains: string[];
  /** The ports PocketPaw's server listens on. */
  serverPorts: number[];
}

export type Verdict = { ok: true; address: string; family: number } | { ok: false; reason: string };

/** Lower case, no brackets around IPv6, no trailing dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** `pattern` is `example.com` (that name only) or `*.example.com` (any subdomain, not the name itself). */
export function matchesDomain(host: string, pattern: string): boolean {
  const h = normalizeHost(host);
  const p = normalizeHost(pattern);
  if (!p) return false;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return h === p;
}

function listedExactly(host: string, domains: string[]): boolean {
  const h = normalizeHost(host);
  return domains.some((d) => !normalizeHost(d).startsWith('*.') && normalizeHost(d) === h);
}

/** Addresses of this machine's interfaces (a server bound to 0.0.0.0 answers on all of them). */
function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) out.add(normalizeHost(a.address));
  return out;
}

const loopbackOrAny = new net.BlockList();
loopbackOrAny.addSubnet('127.0.0.0', 8, 'ipv4');
loopbackOrAny.addSubnet('0.0.0.0', 8, 'ipv4');
loopbackOrAny.addAddress('::1', 'ipv6');
loopbackOrAny.addAddress('::', 'ipv6');
loopbackOrAny.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
loopbackOrAny.addSubnet('::ffff:0.0.0.0', 104, 'ipv6');

/** True when `address` is this machine: loopback, unspecified, or one of its interfaces. */
export function isThisMachine(address: string): boolean {
  const a = normalizeHost(address).replace(/%.*$/, '');
  const family = net.isIP(a);
  if (family === 4 && loopbackOrAny.check(a, 'ipv4')) return true;
  if (family === 6 && loopbackOrAny.check(a, 'ipv6')) return true;
  return localAddresses().has(a);
}

async function resolve(host: string): Promise<dns.LookupAddress[]> {
  const family = net.isIP(host);
  if (family) return [{ address: host, family }];
  return dns.promises.lookup(host, { all: true, verbatim: true });
}

/** Decides one destination (`host`, `port`) and, when allowed, the address to connect to. */
export async function checkDestination(hostIn: string, port: number, policy: DestinationPolicy): Promise<Verdict> {
  const host = normalizeHost(hostIn);
  if (policy.mode === 'none') return { ok: false, reason: 'The sandbox has no network (setting sandbox_network is "none").' };
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `Invalid destination ${hostIn}:${port}.` };
  if (policy.mode === 'allowlist' && !policy.domains.some((d) => matchesDomain(host, d))) {
    return { ok: false, reason: `${host} is not in sandbox_allowed_domains. Add it there (or set sandbox_network to "all") to allow it.` };
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    return { ok: false, reason: `Cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.` };
  }
  if (!addresses.length) return { ok: false, reason: `No address for ${host}.` };
  for (const a of addresses) {
    if (policy.serverPorts.includes(port) && isThisMachine(a.address)) {
      return { ok: false, reason: `${host}:${port} is PocketPaw's own server, which the sandbox may never reach.` };
    }
    if (isPrivateAddress(a.address) && !listedExactly(host, policy.domains)) {
      return {
        ok: false,
        reason: `${host} resolves to ${a.address}, a loopback, private, link-local or unspecified address. `
          + `List the exact name "${host}" in sandbox_allowed_domains to allow it.`,
      };
    }
  }
  return { ok: true, address: addresses[0]!.address, family: addresses[0]!.family };
}
