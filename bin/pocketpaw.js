#!/usr/bin/env node
// Runs the server compiled by scripts/build-server.mjs (`npm start` builds it) while it is newer
// than every file under src/; otherwise the TypeScript sources directly through tsx. Either way
// `npx pocketpaw` runs what is checked out, with or without a build step. The build starts in a
// fraction of tsx's time and memory (bench/README.md, Footprint). POCKETPAW_RUNNER=tsx forces tsx;
// POCKETPAW_RUNNER=built runs the last build even when stale (benchmarks, while others edit src/).
import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';
import { upToDateEntry } from '../scripts/build-server.mjs';

// The server (no command, or `serve`) keeps V8's young generation at its initial 1 MB per
// semi-space instead of letting start-up's burst of allocation grow it to 16 MB: that memory
// stays committed while the server idles (~14 MB of idle RSS, issue 14). A personal agent's
// requests are small; the cost is more frequent, equally short scavenges under heavy load.
// The flag is read whenever V8 decides to grow, so setting it here, before anything loads, works.
const command = process.argv[2];
const server = command === undefined || command === 'serve' || command.startsWith('-');
if (server) v8.setFlagsFromString('--semi-space-growth-factor=1');
// A one-shot command (`sessions list`, `token`, `chat` …) parses the settings once and exits:
// zod's JIT, which compiles each object schema to a function on its first parse (worth it for a
// server's many requests), only costs it time (~20 ms of `sessions list`). zod keeps its config
// on globalThis (shared by every copy of zod) and reads it when a schema is built, so it is set
// here, before anything loads.
else globalThis.__zod_globalConfig = { ...globalThis.__zod_globalConfig, jitless: true };

const runner = process.env.POCKETPAW_RUNNER;
const built = runner === 'tsx' ? null : upToDateEntry({ evenIfStale: runner === 'built' });
if (built) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
