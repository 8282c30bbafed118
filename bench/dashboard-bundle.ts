/**
 * The dashboard's JavaScript and CSS as a first visit loads them (index.html's module script,
 * its modulepreloads and stylesheets) and as panels and the highlighter load later, raw and
 * compressed, next to the figures from before issue 12.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Before issue 12 (entry JS and CSS as first loaded), for comparison. */
export const BASELINE = { entry_js_bytes: 193_077, entry_js_gzip_bytes: 62_436, css_bytes: 36_858, css_gzip_bytes: 8_398 };

function sizeOf(files: string[]): { files: number; bytes: number; gzip_bytes: number } {
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = fs.readFileSync(path.join(ROOT, 'web', 'dist', f));
    bytes += buf.length;
    gzip += zlib.gzipSync(buf, { level: 9 }).length;
  }
  return { files: files.length, bytes, gzip_bytes: gzip };
}

export function bundleSizes() {
  const dir = path.join(ROOT, 'web', 'dist', 'assets');
  const sizes = { js_bytes: 0, js_gzip_bytes: 0, js_brotli_bytes: 0, css_bytes: 0, css_gzip_bytes: 0, css_brotli_bytes: 0 };
  const all: string[] = [];
  for (const f of fs.readdirSync(dir)) {
    const kind = f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    all.push(`assets/${f}`);
    const buf = fs.readFileSync(path.join(dir, f));
    sizes[`${kind}_bytes`] += buf.length;
    sizes[`${kind}_gzip_bytes`] += zlib.gzipSync(buf, { level: 9 }).length;
    sizes[`${kind}_brotli_bytes`] += zlib.brotliCompressSync(buf).length;
  }
  // What the first visit loads: index.html's module script, its modulepreloads and stylesheets.
  const html = fs.readFileSync(path.join(ROOT, 'web', 'dist', 'index.html'), 'utf8');
  const refs = (re: RegExp) => [...html.matchAll(re)].map((m) => m[1]!.replace(/^\/static\//, ''));
  const initialJs = [...refs(/<script type="module"[^>]*src="([^"]+)"/g), ...refs(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)];
  const initialCss = refs(/<link rel="stylesheet"[^>]*href="([^"]+)"/g);
  const lazyJs = all.filter((f) => f.endsWith('.js') && !initialJs.includes(f));
  const lazyCss = all.filter((f) => f.endsWith('.css') && !initialCss.includes(f));
  const initial = { js: sizeOf(initialJs), css: sizeOf(initialCss) };
  return {
    total: sizes,
    initial,
    lazy: { js: sizeOf(lazyJs), css: sizeOf(lazyCss), chunks: lazyJs.map((f) => path.basename(f)) },
    baseline: BASELINE,
    initial_vs_baseline: {
      js_bytes: initial.js.bytes - BASELINE.entry_js_bytes,
      js_gzip_bytes: initial.js.gzip_bytes - BASELINE.entry_js_gzip_bytes,
      css_bytes: initial.css.bytes - BASELINE.css_bytes,
      css_gzip_bytes: initial.css.gzip_bytes - BASELINE.css_gzip_bytes,
    },
  };
}
