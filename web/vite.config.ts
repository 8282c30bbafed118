import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip as gzipCb } from 'node:zlib';

const gzip = promisify(gzipCb);
const brotli = promisify(brotliCompress);
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The wire protocol shared with the server (types and pure helpers, no imports of its own). */
const protocol = fileURLToPath(new URL('../src/protocol/index.ts', import.meta.url));

/**
 * Writes `.gz` and `.br` twins of the hashed JS/CSS, which the server sends as they are
 * (`preCompressed`): a phone on Wi-Fi loads a fraction of the bytes, and the server never
 * compresses on the fly.
 */
function precompress(): Plugin {
  return {
    name: 'pocketpaw-precompress',
    apply: 'build',
    // From the files as written: in generateBundle Vite has not yet put in the lazy imports'
    // preload list (__VITE_PRELOAD__ would stay in the compressed twins and break import()).
    // Compressed on libuv's thread pool, in parallel.
    async writeBundle(options, bundle) {
      const dir = options.dir ?? fileURLToPath(new URL('dist', import.meta.url));
      const jobs: Promise<void>[] = [];
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(fileName)) continue;
        const file = path.join(dir, fileName);
        const buf = fs.readFileSync(file);
        if (buf.length < 1024) continue;
        jobs.push(gzip(buf, { level: 9 }).then((out) => fs.promises.writeFile(`${file}.gz`, out)));
        jobs.push(brotli(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).then((out) => fs.promises.writeFile(`${file}.br`, out)));
      }
      await Promise.all(jobs);
    },
  };
}

/** The dashboard SPA. Built into web/dist and served by the server under /static/ (dashboard mode). */
export default defineConfig({
  root,
  base: '/static/',
  publicDir: 'public',
  logLevel: 'warn',
  resolve: { alias: { '@protocol': protocol } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
    assetsInlineLimit: 0,
  },
  plugins: [precompress()],
});
