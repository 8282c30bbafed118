import path from 'node:path';

/**
 * What a stored file is. Raster images are recognised by their bytes only (a name or a client's
 * `mime_type` can lie: an SVG or HTML page sent as `image/png` is not an image); everything else
 * is named by its extension and is only ever served as a download.
 */

/** The image types we show inline and send to a model: checked by magic bytes, never by name. */
export const RASTER_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function isRasterImage(mimeType: string): boolean {
  return RASTER_TYPES.has(mimeType);
}

/** The raster image type of these bytes, or null. */
export function sniffImage(head: Uint8Array): string | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}

const BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain', '.md': 'text/markdown', '.csv': 'text/csv', '.tsv': 'text/tab-separated-values',
  '.json': 'application/json', '.xml': 'application/xml', '.yaml': 'application/yaml', '.yml': 'application/yaml',
  '.html': 'text/html', '.htm': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.ts': 'text/plain',
  '.py': 'text/x-python', '.log': 'text/plain',
  '.pdf': 'application/pdf', '.zip': 'application/zip', '.gz': 'application/gzip', '.tar': 'application/x-tar',
  '.doc': 'application/msword', '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint', '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.svg': 'image/svg+xml', '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.heic': 'image/heic', '.ico': 'image/x-icon',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.ogg': 'audio/ogg', '.m4a': 'audio/mp4', '.webm': 'video/webm', '.mp4': 'video/mp4', '.mov': 'video/quicktime',
};

const EXTENSION_OF: Record<string, string> = {
  'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp',
  'text/plain': '.txt', 'text/markdown': '.md', 'text/csv': '.csv', 'application/json': '.json', 'application/pdf': '.pdf',
  'text/html': '.html', 'image/svg+xml': '.svg', 'application/zip': '.zip', 'audio/mpeg': '.mp3', 'audio/wav': '.wav',
  'audio/webm': '.webm', 'video/webm': '.webm', 'video/mp4': '.mp4', 'audio/ogg': '.ogg',
};

/**
 * The type to record for a file: its raster image type when the bytes are one; otherwise the
 * extension's type, except that an image extension on bytes that are not that image says nothing
 * (octet-stream). A client's type is never used: it could only add a lie.
 */
export function mimeTypeOf(name: string, head: Uint8Array): string {
  const sniffed = sniffImage(head);
  if (sniffed) return sniffed;
  const byExt = BY_EXTENSION[path.extname(name).toLowerCase()];
  if (!byExt || isRasterImage(byExt)) return 'application/octet-stream';
  return byExt;
}

/** The extension a name without one should get, from the bytes or else the client's type. */
export function extensionFor(head: Uint8Array, clientType: string | undefined): string {
  const sniffed = sniffImage(head);
  if (sniffed) return EXTENSION_OF[sniffed]!;
  const type = (clientType ?? '').split(';')[0]!.trim().toLowerCase();
  const ext = EXTENSION_OF[type];
  // A client's word is never enough to make a file an image: no image extension without image bytes.
  return ext && !isRasterImage(type) ? ext : '';
}
