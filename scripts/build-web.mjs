#!/usr/bin/env node
// Builds the dashboard (web/ → web/dist) with Vite, only when it is missing or out of date:
// older than any file under web/ (dist excluded), under src/protocol/ (the wire types the
// dashboard imports as `@protocol`) or than package-lock.json. Runs before
// `npm start` (prestart) and before the browser tests; `--force` always builds.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist');
const stamp = path.join(dist, '.build-stamp');
const protocol = path.join(root, 'src', 'protocol');

function newestMtime(dir, skip) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip.has(full)) continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, skip));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function isStale() {
  if (!fs.existsSync(stamp) || !fs.existsSync(path.join(dist, 'index.html'))) return true;
  const built = fs.statSync(stamp).mtimeMs;
  const sources = Math.max(
    newestMtime(web, new Set([dist, path.join(web, 'node_modules')])),
    fs.existsSync(protocol) ? newestMtime(protocol, new Set()) : 0,
    fs.existsSync(path.join(root, 'package-lock.json')) ? fs.statSync(path.join(root, 'package-lock.json')).mtimeMs : 0,
  );
  return sources > built;
}

export async function buildWeb({ force = false, quiet = false } = {}) {
  if (!force && !isStale()) return false;
  const log = quiet ? () => {} : (msg) => process.stderr.write(`${msg}\n`);
  log('Building the dashboard…');
  const started = process.hrtime.bigint();
  const { build } = await import('vite');
  await build({ configFile: path.join(web, 'vite.config.ts'), root: web, logLevel: 'warn' });
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`Dashboard built in ${seconds.toFixed(1)} s (web/dist).`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWeb({ force: process.argv.includes('--force') }).catch((err) => {
    process.stderr.write(`Building the dashboard failed: ${err?.message ?? err}\n`);
    process.exit(1);
  });
}
