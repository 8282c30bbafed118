import http from 'node:http';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
  raw: Buffer;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A JSON value to send, or a raw string/Buffer sent as is. */
  json?: unknown;
  body?: string | Buffer;
  /** Source address; 127.0.0.2 is loopback but not the owner's (spec §2.4). */
  localAddress?: string;
}

/** A real HTTP request over a socket (not `inject`), so peer addresses and headers are real. */
export function request(baseUrl: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = { ...opts.headers };
  let payload: string | Buffer | undefined = opts.body;
  if (opts.json !== undefined) {
    payload = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: opts.method ?? 'GET', headers, localAddress: opts.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let body: unknown = undefined;
          if (String(res.headers['content-type'] ?? '').includes('json')) {
            try { body = JSON.parse(text); } catch { body = undefined; }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, raw });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
