import type http from 'node:http';

/** Telegram's words when an edit changes nothing. */
export const NOT_MODIFIED = 'Bad Request: message is not modified: specified new message content and reply markup of the current message are exactly the same as a message content and reply markup of the current message';
/** The MIME type Telegram reports for a file name's extension. */
export const MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', json: 'application/json' };

/** One file part of a multipart/form-data body. */
export interface UploadedPart {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/**
 * Parses multipart/form-data as the Bot API does: lenient about header case and spacing and about
 * unquoted file names (grammY writes `content-disposition:form-data;name="x";filename=a b.txt`).
 */
export function parseMultipart(body: Buffer, boundary: string): { fields: Record<string, string>; files: UploadedPart[] } {
  const fields: Record<string, string> = {};
  const files: UploadedPart[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    // The CRLF before the next delimiter belongs to the delimiter, not to the content.
    let end = next;
    if (body.subarray(end - 2, end).toString() === '\r\n') end -= 2;
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const disposition = /content-disposition\s*:\s*([^\r\n]*)/i.exec(head)?.[1] ?? '';
      const name = /(?:^|;)\s*name\s*=\s*"([^"]*)"/i.exec(disposition)?.[1] ?? /(?:^|;)\s*name\s*=\s*([^;]*)/i.exec(disposition)?.[1]?.trim();
      const filename = /filename\s*=\s*"([^"]*)"/i.exec(disposition)?.[1] ?? /filename\s*=\s*([^;]*)/i.exec(disposition)?.[1]?.trim();
      const contentType = /content-type\s*:\s*([^\r\n]*)/i.exec(head)?.[1]?.trim() ?? 'application/octet-stream';
      if (name !== undefined) {
        if (filename !== undefined) files.push({ field: name, filename, contentType, data: Buffer.from(data) });
        else fields[name] = data.toString('utf8');
      }
    }
    pos = next;
  }
  return { fields, files };
}

export function reply(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

/** Bot API parameters may come in the query string, as JSON, as a form or as multipart. */
export function parseParams(req: http.IncomingMessage, body: Buffer, url: URL): { params: Record<string, unknown>; files: UploadedPart[] } {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json') && body.length > 0) return { params: { ...params, ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>) }, files: [] };
  if (type.includes('application/x-www-form-urlencoded')) return { params: { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) }, files: [] };
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (type.includes('multipart/form-data') && boundary) {
    const { fields, files } = parseMultipart(body, boundary[1] ?? boundary[2]!.trim());
    return { params: { ...params, ...fields }, files };
  }
  return { params, files: [] };
}
