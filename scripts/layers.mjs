#!/usr/bin/env node
/**
 * The shape of src/: which capability folders import which, and the import cycles between
 * folders (a cycle means some import runs from a lower layer up to a higher one). Prints JSON;
 * exits 1 when there is a cycle. `node scripts/layers.mjs`. The structure test runs it too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** The capability a file belongs to: its first folder under src/ (`src/x.ts` counts as `.`). */
function folderOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep);
  return rel.length > 1 ? rel[0] : '.';
}

function* sourceFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(p);
    else if (/\.tsx?$/.test(entry.name)) yield p;
  }
}

/** folder → folder → the imports that make the edge. */
export function folderGraph() {
  const graph = new Map();
  for (const file of sourceFiles(ROOT)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const target = path.resolve(path.dirname(file), m[1] ?? m[2]);
      if (!target.startsWith(ROOT + path.sep)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, []);
      edges.get(to).push(`${path.relative(ROOT, file)} -> ${m[1] ?? m[2]}`);
    }
  }
  return graph;
}

/** Strongly connected groups of more than one folder (Tarjan): each is a cycle between layers. */
export function folderCycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], onStack = new Set(), cycles = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const group = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); group.push(w); } while (w !== v);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const graph = folderGraph();
  const cycles = folderCycles(graph);
  const uses = Object.fromEntries([...graph].sort().map(([from, edges]) => [from, [...edges.keys()].sort()]));
  const details = cycles.map((group) => group.flatMap((a) => group.flatMap((b) => graph.get(a)?.get(b) ?? [])));
  process.stdout.write(`${JSON.stringify({ folders: graph.size, cycles, cycle_imports: details, uses }, null, 2)}\n`);
  process.exitCode = cycles.length ? 1 : 0;
}
