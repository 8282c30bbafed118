// Loader hooks of record-packages.mjs (they run on the loader's own thread).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

let file;
const seenChunks = new Set();

export function initialize(data) {
  file = data?.file;
}

/**
 * The packages bundled into a chunk of the built server (scripts/build-server.mjs): esbuild
 * heads each module it bundles with a `// <path>` comment, so a chunk that is loaded names the
 * packages whose code it carries. Without this, a bundled package would load unseen.
 */
function bundledPackages(url) {
  if (!/\/\.build\/server-[^/]+\/[^/]+\.js$/.test(url) || seenChunks.has(url)) return [];
  seenChunks.add(url);
  const names = new Set();
  for (const m of fs.readFileSync(fileURLToPath(url), 'utf8').matchAll(/^\/\/ \S*node_modules\/((?:@[^/\s]+\/)?[^/\s]+)\//gm)) names.add(m[1]);
  return [...names];
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
