import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkDestination, normalizeHost, type DestinationPolicy } from './destinations.js';

/**
 * The host half of the sandbox's network: an HTTP proxy on a unix socket in a private temp
 * folder (mode 700), in our own process. `CONNECT host:port` for HTTPS (the TLS stays end to
 * end; we only see the name), absolute-form requests (`GET http://host/…`) for plain HTTP.
 * Every destination goes through `checkDestination`; a refusal is answered `403` with the
 * reason as the body, so the command (and the model reading its output) learns why.
 *
 * One proxy serves every sandboxed call; the policy is read per connection, so a settings
 * change applies to the next request.
 */

export interface ProxyRefusal {
  host: string;
  port: number;
  reason: string;
}

export interface ProxyOptions {
  policy: () => DestinationPolicy;
  /** Told about every refusal (the audit log). */
  onRefuse?: (r: ProxyRefusal) => void;
}

/** Hop-by-hop and proxy headers, not forwarded. */
const HOP_HEADERS = new Set(['proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade']);

export class SandboxProxy {
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    private readonly dir: string,
    readonly socketPath: string,
  ) {}

  static async start(opts: ProxyOptions): Promise<SandboxProxy> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-proxy-'));
    fs.chmodSync(dir, 0o700);
    const socketPath = path.join(dir, 'proxy.sock');
    const server = http.createServer();
    const proxy = new SandboxProxy(server, dir, socketPath);
    server.on('connection', (s: net.Socket) => {
      proxy.sockets.add(s);
      s.on('close', () => proxy.sockets.delete(s));
    });
    server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void proxy.onConnect(opts, req, socket, head));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void proxy.onRequest(opts, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(socketPath, 0o600);
    return proxy;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    for (const s of this.sockets) s.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async vet(opts: ProxyOptions, host: string, port: number) {
    const verdict = await checkDestination(host, port, opts.policy());
    if (!verdict.ok) opts.onRefuse?.({ host: normalizeHost(host), port, reason: verdict.reason });
    return verdict;
  }

  /** `CONNECT host:port`: a TCP tunnel (HTTPS, or anything else over TLS). */
  private async onConnect(opts: ProxyOptions, req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    if (!m) return void socket.end(statusText(400, 'CONNECT needs host:port.'));
    const [host, port] = [m[1]!, Number(m[2])];
    const verdict = await this.vet(opts, host, port);
    if (!verdict.ok) return void socket.end(statusText(403, verdict.reason));
    const upstream = net.connect({ host: verdict.address, port, family: verdict.family });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', (err) => {
      if (connected || socket.destroyed) return void socket.destroy();
      socket.end(statusText(502, `Cannot connect to ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}.`));
    });
    upstream.on('close', () => {
      if (connected) socket.destroy();
    });
    socket.on('close', () => upstream.destroy());
  }

  /** An absolute-form request (`GET http://host:port/path`): plain HTTP through the proxy. */
  private async onRequest(opts: ProxyOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return send(res, 400, 'This is PocketPaw\'s sandbox proxy: send absolute-form requests (http://host/path) or CONNECT host:port.');
    }
    if (url.protocol !== 'http:') return send(res, 400, `Only http:// requests are forwarded as such; use CONNECT for ${url.protocol}//.`);
    const port = url.port ? Number(url.port) : 80;
    const verdict = await this.vet(opts, url.hostname, port);
    if (!verdict.ok) return send(res, 403, verdict.reason);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_HEADERS.has(k) && v !== undefined) headers[k] = v;
    headers.host = url.host;
    const upstream = http.request({
      host: verdict.address, family: verdict.family, port, method: req.method, path: `${url.pathname}${url.search}`,
      headers, setHost: false, agent: false,
    }, (up) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP_HEADERS.has(k) && v !== undefined) out[k] = v;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', (err) => {
      if (res.headersSent) res.destroy();
      else send(res, 502, `Cannot connect to ${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}.`);
    });
    req.pipe(upstream);
    res.on('close', () => upstream.destroy());
  }
}

function statusText(code: number, body: string): string {
  const text = `${body}\n`;
  return `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`;
}

function send(res: http.ServerResponse, code: number, body: string): void {
  const text = `${body}\n`;
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}
