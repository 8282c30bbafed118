// Loader hooks of record-packages.mjs (they run on the loader's own thread).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

let file;
const seenChunks = new Set();

export function initialize(data) {
  file = data?.file;
}

const manifests = new Map();

/**
 * The packages bundled into a chunk of the built server (scripts/build-server.mjs writes them to
 * packages.json beside the chunks), so a chunk that is loaded names the packages whose code it
 * carries. Without this, a bundled package would load unseen.
 */
function bundledPackages(url) {
  const m = /^(.*\/\.build\/server-[^/]+)\/([^/]+\.js)$/.exec(url);
  if (!m || seenChunks.has(url)) return [];
  seenChunks.add(url);
  if (!manifests.has(m[1])) manifests.set(m[1], JSON.parse(fs.readFileSync(fileURLToPath(`${m[1]}/packages.json`), 'utf8')));
  return manifests.get(m[1])[m[2]] ?? [];
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!file) return result;
  // The package a resolved file belongs to: the last node_modules/<name> (or @scope/name) in its URL.
  const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(result.url);
  const names = m ? [m[1]] : bundledPackages(result.url);
  if (names.length) fs.appendFileSync(file, names.map((n) => `${n}\n`).join(''));
  return result;
}
