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
// Packages are bundled too (issue 14): the server resolved and compiled ~440 package files one by
// one, and zod's 50 locales were half of the zod code `sessions list` compiled (only English is
// used, so the others are left out); main-thread CPU to the first answered health went from
// ~0.85 s to ~0.6 s here, `sessions list` from ~0.45 s to ~0.3 s. Packages that read their own files at run
// time (static assets, workers), native ones, the build tools and the big channel libraries stay
// external (EXTERNAL below), resolved from node_modules at run time as under tsx. Dynamic
// imports stay lazy: esbuild puts what only they reach into chunks loaded on first use.
// The code is minified (whitespace and syntax; names are kept, so stack traces still name the
// functions): V8 keeps every loaded module's source in memory, and the server's was ~6 MB of
// idle RSS (84 -> 76 MB measured). `node --enable-source-maps` maps traces back to src/.
// packages.json in the build folder lists the packages bundled into each chunk (test/footprint
// checks what start-up loads with it).
// The folder is two levels below the root, like src/<dir>/, so paths the code resolves from
// import.meta.url (web/dist, package.json, scripts/) stay the same.
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

/** The newest of src/ and the installed packages (bundled too: an `npm install` makes the build stale). */
function newestInput() {
  let newest = newestMtime(src);
  for (const file of [path.join(root, 'package-lock.json'), path.join(root, 'node_modules', '.package-lock.json')]) {
    try {
      newest = Math.max(newest, fs.statSync(file).mtimeMs);
    } catch { /* no lock file */ }
  }
  return newest;
}

/** The entry file of the current build, or null when there is none or src/ (or an installed package) is newer. */
export function upToDateEntry({ evenIfStale = false } = {}) {
  let info;
  try {
    info = JSON.parse(fs.readFileSync(current, 'utf8'));
  } catch {
    return null;
  }
  const entry = path.join(out, info.dir, 'main.js');
  if (!fs.existsSync(entry) || (!evenIfStale && newestInput() > info.sourcesAt)) return null;
  return entry;
}

/**
 * Packages loaded from node_modules at run time instead of bundled: native code, files read
 * beside their own sources (swagger-ui's and @fastify/static's assets, pino's transport
 * workers are not used), build tools, and the channel and web-page libraries (large, loaded
 * only when a channel or tool starts, and each with optional native add-ons).
 */
const EXTERNAL = new Set([
  'better-sqlite3', 'esbuild', 'vite', 'tsx', '@fastify/swagger-ui', '@fastify/static',
  'discord.js', 'grammy', '@slack/bolt', 'linkedom', '@mozilla/readability', 'tar', 'yauzl',
  'bufferutil', 'utf-8-validate', 'pino-pretty',
]);

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const bundling = {
  name: 'pocketpaw-bundling',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || EXTERNAL.has(packageName(args.path))) return { path: args.path, external: true };
      return undefined;
    });
    // zod's `z.locales` / `core.locales` namespaces (50 translations, ~370 KB): nothing here uses
    // them, and English, the default, is imported by zod's schemas directly.
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /node_modules[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer) ? { path: 'zod-locales', namespace: 'pocketpaw-stub' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'pocketpaw-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/** Chunk file name → the npm packages bundled into it, from esbuild's metafile. */
function bundledPackages(metafile, outDir) {
  const byChunk = {};
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    const names = new Set();
    for (const input of Object.keys(output.inputs)) {
      const m = /.*node_modules[\\/]((?:@[^/\\]+[\\/])?[^/\\]+)[\\/]/.exec(input);
      if (m) names.add(m[1].replace('\\', '/'));
    }
    byChunk[path.relative(outDir, path.resolve(root, file))] = [...names].sort();
  }
  return byChunk;
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
  const result = await build({
    entryPoints: { main: path.join(src, 'cli', 'main.ts') },
    outdir: path.join(out, dir),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [bundling],
    // Bundled CommonJS packages call require() (node built-ins, the external packages): an ES
    // module has none, so each chunk gets one.
    banner: { js: "import { createRequire as __pocketpawRequire } from 'node:module'; const require = __pocketpawRequire(import.meta.url);" },
    sourcemap: 'linked',
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    chunkNames: 'chunk-[hash]',
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(out, dir, 'packages.json'), `${JSON.stringify(bundledPackages(result.metafile, path.join(out, dir)), null, 1)}\n`);
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
