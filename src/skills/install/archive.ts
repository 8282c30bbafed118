import fs from 'node:fs';
import path from 'node:path';
import { INSTALL_LIMITS, SkillInstallError } from './errors.js';

/** One entry of an archive, read whole into memory before anything is written. */
export type ArchiveEntry =
  | { type: 'dir'; path: string }
  | { type: 'file'; path: string; data: Buffer; executable: boolean }
  | { type: 'symlink'; path: string; target: string };

const refused = (why: string) => new SkillInstallError(400, `Refused: ${why}; nothing was installed`);

/**
 * An entry's path as a relative path, or a refusal: absolute paths, drive letters, `..`
 * anywhere, backslashes and NUL are never "cleaned up" into something else.
 */
export function entryPath(name: string): string {
  if (name.includes('\0') || name.includes('\\')) throw refused(`archive entry with an unsafe name (${JSON.stringify(name)})`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refused(`archive entry with an absolute path (${name})`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw refused(`archive entry outside its folder (${name})`);
  return parts.join('/');
}

class Budget {
  private bytes = 0;
  private entries = 0;
  add(bytes: number): void {
    this.bytes += bytes;
    this.entries += 1;
    if (this.entries > INSTALL_LIMITS.entries) throw new SkillInstallError(413, `Archive has more than ${INSTALL_LIMITS.entries} entries`);
    if (this.bytes > INSTALL_LIMITS.unpackedBytes) throw new SkillInstallError(413, `Archive unpacks to more than ${INSTALL_LIMITS.unpackedBytes / 1024 / 1024} MB`);
  }
}

/** A `.tar.gz` / `.tgz` (node-tar's parser, loaded on first use). Hard links and devices are refused. */
export async function readTar(data: Buffer): Promise<ArchiveEntry[]> {
  const { Parser } = await import('tar');
  const budget = new Budget();
  const entries: ArchiveEntry[] = [];
  return new Promise((resolve, reject) => {
    let failed: Error | null = null;
    const parser = new Parser({ strict: true });
    const fail = (err: Error) => {
      failed ??= err;
    };
    parser.on('entry', (e) => {
      if (failed) return e.resume();
      try {
        const p = entryPath(String(e.path));
        if (e.type === 'Directory') {
          budget.add(0);
          if (p) entries.push({ type: 'dir', path: p });
          return e.resume();
        }
        if (!p) throw refused('archive entry without a name');
        if (e.type === 'SymbolicLink') {
          budget.add(0);
          entries.push({ type: 'symlink', path: p, target: String(e.linkpath ?? '') });
          return e.resume();
        }
        if (e.type !== 'File' && e.type !== 'OldFile' && e.type !== 'ContiguousFile') throw refused(`archive entry of type ${e.type} (${p})`);
        budget.add(e.size ?? 0);
        const chunks: Buffer[] = [];
        e.on('data', (c: Buffer) => chunks.push(c));
        e.on('end', () => entries.push({ type: 'file', path: p, data: Buffer.concat(chunks), executable: ((e.mode ?? 0) & 0o111) !== 0 }));
      } catch (err) {
        fail(err as Error);
        e.resume();
      }
    });
    parser.on('error', (err: Error) => fail(new SkillInstallError(400, `Not a valid .tar.gz archive: ${err.message}`)));
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (failed) reject(failed);
      else resolve(entries);
    };
    parser.on('end', settle);
    // Fed in pieces, so a refusal stops the work (a gzip bomb is not inflated to the end).
    const CHUNK = 64 * 1024;
    for (let i = 0; i < data.length && !failed; i += CHUNK) parser.write(data.subarray(i, i + CHUNK));
    if (failed) settle();
    else parser.end();
  });
}

/** A `.zip` (yauzl, loaded on first use); sizes are checked against what the entries really hold. */
export async function readZip(data: Buffer): Promise<ArchiveEntry[]> {
  const yauzl = (await import('yauzl')).default;
  const budget = new Budget();
  const zip = await new Promise<import('yauzl').ZipFile>((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, z) => (err || !z ? reject(new SkillInstallError(400, `Not a valid .zip archive: ${err?.message ?? 'unreadable'}`)) : resolve(z)));
  });
  const entries: ArchiveEntry[] = [];
  const readData = (entry: import('yauzl').Entry) => new Promise<Buffer>((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(new SkillInstallError(400, `Not a valid .zip archive: ${err?.message ?? 'unreadable entry'}`));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e: Error) => reject(new SkillInstallError(400, `Not a valid .zip archive: ${e.message}`)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
  try {
    for (;;) {
      const entry = await new Promise<import('yauzl').Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', (e: Error) => reject(new SkillInstallError(400, `Not a valid .zip archive: ${e.message}`)));
        zip.readEntry();
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (!entry) break;
      const raw = entry.fileName as unknown as Buffer;
      const name = raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? 'utf8' : 'latin1');
      const p = entryPath(name);
      const mode = (entry.externalFileAttributes >>> 16) & 0o177777;
      const kind = mode & 0o170000;
      budget.add(entry.uncompressedSize);
      if (name.endsWith('/') || kind === 0o040000) {
        if (p) entries.push({ type: 'dir', path: p });
        continue;
      }
      if (!p) throw refused('archive entry without a name');
      if (kind === 0o120000) {
        entries.push({ type: 'symlink', path: p, target: (await readData(entry)).toString('utf8') });
        continue;
      }
      if (kind !== 0 && kind !== 0o100000) throw refused(`archive entry that is not a file, folder or link (${p})`);
      entries.push({ type: 'file', path: p, data: await readData(entry), executable: (mode & 0o111) !== 0 });
    }
  } finally {
    zip.close();
  }
  return entries;
}

/**
 * Writes checked entries under `dest` (an empty staging folder): folders and files first,
 * symbolic links last, so no file is ever written through a link the archive made. An entry
 * inside a link, or a path given twice, is refused.
 */
export function writeEntries(entries: ArchiveEntry[], dest: string): void {
  const links = new Set(entries.filter((e) => e.type === 'symlink').map((e) => e.path));
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.type !== 'dir' && seen.has(e.path)) throw refused(`archive entry given twice (${e.path})`);
    seen.add(e.path);
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (links.has(parts.slice(0, i).join('/'))) throw refused(`archive entry inside a symbolic link (${e.path})`);
    }
  }
  for (const e of entries) {
    const target = path.join(dest, ...e.path.split('/'));
    if (e.type === 'dir') fs.mkdirSync(target, { recursive: true });
    else if (e.type === 'file') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, e.data, { flag: 'wx', mode: e.executable ? 0o755 : 0o644 });
    }
  }
  for (const e of entries) {
    if (e.type !== 'symlink') continue;
    const target = path.join(dest, ...e.path.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(e.target, target);
  }
}

/** Reads a downloaded archive by its name: `.zip`, else gzip'd tar. */
export async function unpackArchive(data: Buffer, url: string, dest: string): Promise<void> {
  const entries = /\.zip$/i.test(new URL(url).pathname) ? await readZip(data) : await readTar(data);
  try {
    writeEntries(entries, dest);
  } catch (err) {
    if (err instanceof SkillInstallError) throw err;
    // Entries that contradict each other (a file where a folder must be, a name given twice).
    throw refused(`archive entries that do not fit together (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
