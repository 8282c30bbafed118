import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface Page {
  status?: number;
  type?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  gzip?: boolean;
}

export interface PageServer {
  url: string;
  port: number;
  /** Requests received, as `METHOD path`. */
  hits: string[];
  /** Last request's headers and body per path. */
  requests: Map<string, { headers: http.IncomingHttpHeaders; body: string; url: string }>;
  close(): Promise<void>;
}

/** A local web server with fixed pages (or handler functions), for url_extract and web_search tests. */
export async function startPageServer(pages: Record<string, Page | ((req: http.IncomingMessage, body: string) => Page)>): Promise<PageServer> {
  const hits: string[] = [];
  const requests = new Map<string, { headers: http.IncomingHttpHeaders; body: string; url: string }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const pathname = (req.url ?? '/').split('?')[0]!;
      hits.push(`${req.method} ${pathname}`);
      requests.set(pathname, { headers: req.headers, body, url: req.url ?? '/' });
      const entry = pages[pathname];
      const page = typeof entry === 'function' ? entry(req, body) : entry;
      if (!page) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      let payload: string | Buffer = page.body ?? '';
      const headers: Record<string, string> = { 'content-type': page.type ?? 'text/html; charset=utf-8', ...page.headers };
      if (page.gzip) {
        payload = zlib.gzipSync(payload);
        headers['content-encoding'] = 'gzip';
      }
      res.writeHead(page.status ?? 200, headers).end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
