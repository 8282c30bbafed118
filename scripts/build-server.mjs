#!/usr/bin/env node
// Compiles the server and CLI (src/ → .build/) with esbuild, only when src/ changed since
// the last build; `--force` always builds. Why: under tsx every start transpiles ~260 modules
// (or reads them from tsx's cache) and keeps tsx/esbuild's loader in memory. The built output
// starts faster and smaller (bench/README.md, Footprint). bin/pocketpaw.js runs it only while it
// is newer than every file under src/, and tsx otherwise, so a checkout always runs what is
// checked out. vitest runs the TypeScript directly; only tests that spawn bin/pocketpaw.js can
// meet this build, and only an up-to-date one.
//
// Layout: .build/server-<build id>/main.js plus code-split chunks, and .build/server.json naming
// the newest build. A new build goes into a new folder and server.json is replaced by a
// rename, so a server still running an older build can keep loading its lazy chunks.
// Node packages stay external (resolved from node_modules at run time, as under tsx); only our
// own sources are bundled. The folder is two levels below the root, like src/<dir>/, so paths
// the code resolves from import.meta.url (web/dist, package.json, scripts/) stay the same.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const out = path.join(root, '.build');
const current = path.join(out, 'server.json');
/** Older builds are removed after this long (a server running one has long loaded its chunks). */
const KEEP_OLD_MS = 2 * 24 * 3600 * 1000;

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** The entry file of the current build, or null when there is none or src/ is newer. */
export function upToDateEntry({ evenIfStale = false } = {}) {
  let info;
  try {
    info = JSON.parse(fs.readFileSync(current, 'utf8'));
  } catch {
    return null;
  }
  const entry = path.join(out, info.dir, 'main.js');
  if (!fs.existsSync(entry) || (!evenIfStale && newestMtime(src) > info.sourcesAt)) return null;
  return entry;
}

export async function buildServer({ force = false, quiet = false } = {}) {
  if (!force && upToDateEntry()) return false;
  const log = quiet ? () => {} : (msg) => process.stderr.write(`${msg}\n`);
  const started = Date.now();
  // Taken before reading the sources: a file saved during the build makes the build stale.
  const sourcesAt = started;
  const dir = `server-${started}-${process.pid}`;
  // esbuild is pinned in package.json (the same version tsx and vite use, so one copy); should
  // it be missing, there is no build and bin/pocketpaw.js runs the sources through tsx as before.
  let build;
  try {
    ({ build } = await import('esbuild'));
  } catch {
    log('esbuild not found: the server will run through tsx (slower start-up).');
    return false;
  }
  await build({
    entryPoints: { main: path.join(src, 'cli', 'main.ts') },
    outdir: path.join(out, dir),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    chunkNames: 'chunk-[hash]',
    logLevel: 'warning',
  });
  const tmp = `${current}.${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify({ dir, sourcesAt, builtAt: new Date().toISOString() })}\n`);
  fs.renameSync(tmp, current);
  for (const old of fs.readdirSync(out, { withFileTypes: true })) {
    if (!old.isDirectory() || !old.name.startsWith('server-') || old.name === dir) continue;
    const full = path.join(out, old.name);
    if (Date.now() - fs.statSync(full).mtimeMs > KEEP_OLD_MS) fs.rmSync(full, { recursive: true, force: true });
  }
  log(`Server built in ${((Date.now() - started) / 1000).toFixed(1)} s (.build/${dir}).`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildServer({ force: process.argv.includes('--force') }).catch((err) => {
    process.stderr.write(`Building the server failed: ${err?.message ?? err}\n`);
    process.exit(1);
  });
}
