// Loader hooks of record-packages.mjs (they run on the loader's own thread).
import fs from 'node:fs';

let file;

export function initialize(data) {
  file = data?.file;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  // The package a resolved file belongs to: the last node_modules/<name> (or @scope/name) in its URL.
  const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(result.url);
  if (m && file) fs.appendFileSync(file, `${m[1]}\n`);
  return result;
}
