import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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
    writeBundle(options, bundle) {
      const dir = options.dir ?? fileURLToPath(new URL('dist', import.meta.url));
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(fileName)) continue;
        const buf = fs.readFileSync(path.join(dir, fileName));
        if (buf.length < 1024) continue;
        fs.writeFileSync(path.join(dir, `${fileName}.gz`), gzipSync(buf, { level: 9 }));
        fs.writeFileSync(path.join(dir, `${fileName}.br`), brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
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
