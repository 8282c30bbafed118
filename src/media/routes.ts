import fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { DomainError } from '../lib/errors.js';
import { isRasterImage } from './mime.js';
import type { MediaStore } from './store.js';

const tags = ['media'];

/**
 * A served file never runs on our origin: an HTML or SVG upload opened in a tab is a sandboxed,
 * script-less document with no access to the dashboard's cookies or storage.
 */
const SANDBOX_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

/**
 * Reads the raw body of an upload, whatever its type, up to `media_max_file_size_mb` (read per
 * request, so a changed setting applies at once). A declared size over the limit is refused
 * before a byte is read; a chunked body as soon as it passes the limit.
 */
function uploadParser(media: MediaStore) {
  return (request: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: Buffer) => void) => {
    const name = String((request.query as { name?: unknown } | undefined)?.name ?? '').trim() || 'The file';
    const limit = media.maxBytes();
    const tooLarge = (bytes: number) => {
      try {
        media.checkSize(name, bytes);
      } catch (err) {
        return new HttpError(413, (err as Error).message);
      }
      return new HttpError(413, `${name} is too large (setting media_max_file_size_mb).`);
    };
    const declared = Number(request.headers['content-length']);
    if (declared > limit) return done(tooLarge(declared));
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += b.length;
      if (received > limit) {
        cleanup();
        return done(tooLarge(received));
      }
      chunks.push(b);
    };
    const onEnd = (err?: Error) => {
      cleanup();
      if (err) return done(new HttpError(400, 'The upload was cut off before it finished; send it again.'));
      done(null, Buffer.concat(chunks, received));
    };
    const cleanup = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  };
}

/**
 * Spec §4.7: `POST /api/v1/media?name=` stores an upload (scope chat), `GET /api/v1/media/{id}`
 * serves it (scope sessions): raster images inline, anything else as a download, always
 * `nosniff` and a sandboxing CSP. Registered in its own context: its body parser (any type,
 * the media size limit) applies to these routes only; every other route keeps the JSON parser
 * and its 1 MB limit.
 */
export function registerMediaRoutes(app: FastifyInstance, media: MediaStore): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', uploadParser(media));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post('/api/v1/media', {
      config: { scope: ['chat'] },
      schema: { tags, summary: 'Upload a file to send with a message', querystring: z.object({ name: z.string().optional() }) },
      // Fastify's own limit is only a backstop; the parser enforces the setting.
      bodyLimit: 1024 * 1024 * 1024,
    }, async (req) => {
      const name = req.query.name?.trim();
      if (!name) throw new HttpError(400, 'Name the file: POST /api/v1/media?name=<file name> with the file as the body.');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const { id, name: stored, mime_type, size, path } = media.save(body, name, req.headers['content-type']);
        return { id, name: stored, mime_type, size, path };
      } catch (err) {
        if (err instanceof DomainError && /the limit is/.test(err.message)) throw new HttpError(413, err.message);
        throw err;
      }
    });

    r.get('/api/v1/media/:id', {
      config: { scope: ['sessions'] },
      schema: { tags, summary: 'Download an uploaded file', params: z.object({ id: z.string() }) },
      onSend: async (_req, reply, payload) => {
        // After the app's own security headers, so this CSP is the one that counts.
        reply.header('content-security-policy', SANDBOX_CSP);
        reply.header('x-content-type-options', 'nosniff');
        return payload;
      },
    }, async (req, reply) => {
      const file = media.get(req.params.id);
      const inline = isRasterImage(file.mime_type);
      reply.header('content-type', inline ? file.mime_type : 'application/octet-stream');
      reply.header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${file.name}"`);
      reply.header('content-length', String(file.size));
      reply.header('cache-control', 'private, max-age=86400');
      return reply.send(fs.createReadStream(file.path));
    });
  });
}
