import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/** What goes into a test archive: files (text), folders, and links (any target, also hostile ones). */
export type FixtureEntry =
  | { path: string; text: string; mode?: number }
  | { path: string; dir: true }
  | { path: string; link: string };

export const skillMd = (name: string, description: string, body = 'Do the thing.') =>
  `---\nname: ${name}\ndescription: ${description}\n---\n${body}\n`;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

/** A ustar header written by hand, so names like `../x` and `/etc/x` go in exactly as given. */
function tarHeader(name: string, type: '0' | '2' | '5', size: number, link = '', mode = 0o644): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(1_700_000_000, 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(link, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

export function tarGz(entries: FixtureEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    if ('dir' in e) blocks.push(tarHeader(e.path.endsWith('/') ? e.path : `${e.path}/`, '5', 0));
    else if ('link' in e) blocks.push(tarHeader(e.path, '2', 0, e.link, 0o777));
    else {
      const data = Buffer.from(e.text);
      blocks.push(tarHeader(e.path, '0', data.length, '', e.mode), data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

/** A stored (uncompressed) zip written by hand, with Unix modes so links are links. */
export function zip(entries: FixtureEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from('dir' in e && !e.path.endsWith('/') ? `${e.path}/` : e.path);
    const data = 'dir' in e ? Buffer.alloc(0) : Buffer.from('link' in e ? e.link : e.text);
    const mode = 'dir' in e ? 0o040755 : 'link' in e ? 0o120777 : 0o100000 | (e.mode ?? 0o644);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(mode * 0x10000 >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Writes entries into a folder (links made as given). */
export function writeTree(dir: string, entries: FixtureEntry[]): void {
  for (const e of entries) {
    const p = path.join(dir, e.path);
    fs.mkdirSync('dir' in e ? p : path.dirname(p), { recursive: true });
    if ('link' in e) fs.symlinkSync(e.link, p);
    else if ('text' in e) fs.writeFileSync(p, e.text, { mode: e.mode ?? 0o644 });
  }
}

export function tempFolder(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pp-skills-${prefix}-`));
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'pipe' });

/** A bare repository (`<dir>/<name>.git`) holding `entries` in one commit: clone it with `file://`. */
export function bareRepo(dir: string, name: string, entries: FixtureEntry[]): string {
  const work = path.join(dir, `${name}-work`);
  fs.mkdirSync(work, { recursive: true });
  git(work, 'init', '-q');
  writeTree(work, entries);
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'skills');
  const bare = path.join(dir, `${name}.git`);
  git(dir, 'clone', '-q', '--bare', work, bare);
  fs.rmSync(work, { recursive: true, force: true });
  return bare;
}

export interface FileServer {
  url: string;
  /** Paths requested, with their query strings. */
  requests: string[];
  set(p: string, answer: { status?: number; body: Buffer | string; type?: string }): void;
  close(): Promise<void>;
}

/** A local HTTP server on an ephemeral port: archives for installs, a fake skills index for search. */
export async function startFileServer(): Promise<FileServer> {
  const answers = new Map<string, { status?: number; body: Buffer | string; type?: string }>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const a = answers.get((req.url ?? '').split('?')[0]!);
    if (!a) return res.writeHead(404).end('not found');
    res.writeHead(a.status ?? 200, { 'content-type': a.type ?? 'application/octet-stream' }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    set: (p, a) => answers.set(p, a),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
