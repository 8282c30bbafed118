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
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css|svg)$/.test(file.fileName)) continue;
        const source = file.type === 'chunk' ? file.code : file.source;
        const buf = typeof source === 'string' ? Buffer.from(source) : Buffer.from(source);
        if (buf.length < 1024) continue;
        this.emitFile({ type: 'asset', fileName: `${file.fileName}.gz`, source: gzipSync(buf, { level: 9 }) });
        this.emitFile({
          type: 'asset',
          fileName: `${file.fileName}.br`,
          source: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        });
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
