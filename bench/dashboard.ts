/**
 * Dashboard benchmark: time to interactive with 10,000 sessions in the database, in the same
 * headless Debian Chromium the browser tests use, plus the JS/CSS bundle size.
 *
 *   npx tsx bench/dashboard.ts            # JSON on stdout, progress on stderr
 *   BENCH_DASHBOARD_SESSIONS=2000 BENCH_DASHBOARD_RUNS=3 npx tsx bench/dashboard.ts
 *
 * Each run is a first visit (a fresh browser context: empty HTTP cache, no cookies) to
 * `/#/session/<newest session>`. Times are milliseconds from navigation start:
 * - `fcp_ms`: first contentful paint (the browser's own entry);
 * - `sidebar_first_row_ms`: the first animation frame in which a session row is on screen;
 * - `messages_visible_ms`: the first frame in which the open session's messages are on screen;
 * - `tti_ms`: both of those done and the main thread quiet: the end of the last long task
 *   (≥ 50 ms, Long Tasks API) seen until 1 s passes without one, if later;
 * - `switch_session_ms`: a click on another session until its messages are on screen;
 * - `scroll_1000_rows_ms`: scrolling the sidebar until 1,000 rows are loaded (20 pages).
 * Medians (p50), min and max over the runs are reported.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../src/server/start.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { seedDatabase } from './seed.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const SESSIONS = Number(process.env.BENCH_DASHBOARD_SESSIONS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_DASHBOARD_MESSAGES ?? 20);
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 7);

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Installed before the app's scripts: records, per animation frame, what is on screen. */
const PROBE = `(() => {
  const m = { row: null, msg: null, longTasks: [], fcp: null };
  window.__bench = m;
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) m.longTasks.push([e.startTime, e.startTime + e.duration]); })
      .observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') m.fcp = e.startTime; })
      .observe({ type: 'paint', buffered: true });
  } catch {}
  const tick = () => {
    const now = performance.now();
    if (m.row === null && document.querySelector('a.row-link')) m.row = now;
    if (m.msg === null && document.querySelector('.messages article.msg')) m.msg = now;
    if (m.row === null || m.msg === null) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

interface Probe {
  row: number | null;
  msg: number | null;
  longTasks: [number, number][];
  fcp: number | null;
}

interface RunResult {
  fcp_ms: number;
  sidebar_first_row_ms: number;
  messages_visible_ms: number;
  tti_ms: number;
  long_tasks: number;
  switch_session_ms: number;
  scroll_1000_rows_ms: number;
  api_sessions_ms: number;
  api_history_ms: number;
}

async function oneRun(browser: Browser, url: string, openId: string, otherId: string): Promise<RunResult> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: PROBE });
  const page = await context.newPage();
  await page.goto(`${url}/#/session/${openId}`);
  await page.waitForFunction('window.__bench.row !== null && window.__bench.msg !== null');
  // Quiet main thread: wait until 1 s passes with no new long task.
  let probe = (await page.evaluate('window.__bench')) as Probe;
  for (let seen = -1; seen !== probe.longTasks.length; ) {
    seen = probe.longTasks.length;
    await page.waitForTimeout(1000);
    probe = (await page.evaluate('window.__bench')) as Probe;
  }
  const lastLong = probe.longTasks.reduce((max, [, end]) => Math.max(max, end), 0);
  const resources = (await page.evaluate(
    "performance.getEntriesByType('resource').map((e) => ({ name: e.name, duration: e.responseEnd - e.startTime }))",
  )) as { name: string; duration: number }[];
  const api = (part: string) => resources.find((r) => r.name.includes(part))?.duration ?? NaN;

  const switchMs = await measureSwitch(page, otherId);
  const scrollMs = await measureScroll(page, 1000);
  await context.close();
  return {
    fcp_ms: probe.fcp ?? NaN,
    sidebar_first_row_ms: probe.row!,
    messages_visible_ms: probe.msg!,
    tti_ms: Math.max(probe.row!, probe.msg!, lastLong),
    long_tasks: probe.longTasks.length,
    switch_session_ms: switchMs,
    scroll_1000_rows_ms: scrollMs,
    api_sessions_ms: api('/api/sessions?limit=50'),
    api_history_ms: api('/history?limit=500'),
  };
}

// In-page code is passed as source text: tsx would otherwise wrap its named functions in a
// helper (`__name`) that does not exist in the page.

/** Click on another session → the first frame that shows its messages. */
async function measureSwitch(page: Page, id: string): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const target = ${JSON.stringify(id)};
    const link = document.querySelector('a.row-link[data-session-id="' + target + '"]');
    const start = performance.now();
    link.click();
    const tick = () => {
      const msgs = document.querySelector('.messages article.msg');
      const active = document.querySelector('a.row-link[aria-current="page"][data-session-id="' + target + '"]');
      if (msgs && active && !document.querySelector('.msg-skeleton')) resolve(performance.now() - start);
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`);
}

/** Scrolls the sidebar to its end until `rows` rows are loaded. */
async function measureScroll(page: Page, rows: number): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const list = document.querySelector('nav.session-list');
    const start = performance.now();
    const tick = () => {
      if (document.querySelectorAll('a.row-link').length >= ${rows}) return resolve(performance.now() - start);
      list.scrollTop = list.scrollHeight;
      requestAnimationFrame(tick);
    };
    tick();
  })`);
}

function stats(values: number[]): { p50: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50: round(sorted[Math.floor((sorted.length - 1) / 2)]!), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!) };
}

function bundleSizes(): Record<string, number> {
  const dir = path.join(ROOT, 'web', 'dist', 'assets');
  const sizes = { js_bytes: 0, js_gzip_bytes: 0, js_brotli_bytes: 0, css_bytes: 0, css_gzip_bytes: 0, css_brotli_bytes: 0 };
  for (const f of fs.readdirSync(dir)) {
    const kind = f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    const buf = fs.readFileSync(path.join(dir, f));
    sizes[`${kind}_bytes`] += buf.length;
    sizes[`${kind}_gzip_bytes`] += zlib.gzipSync(buf, { level: 9 }).length;
    sizes[`${kind}_brotli_bytes`] += zlib.brotliCompressSync(buf).length;
  }
  return sizes;
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-web.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-bench-dash-'));
  try {
    log(`Seeding ${SESSIONS} sessions × ${MESSAGES} messages…`);
    const seeded = seedDatabase({ home, sessions: SESSIONS, messagesPerSession: MESSAGES });
    log(`  ${seeded.seconds.toFixed(1)} s`);
    const server = await startServer({
      mode: 'dashboard', host: '127.0.0.1', port: 0, logLevel: 'silent',
      env: { ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false' },
    });
    const browser = await launchBrowser();
    try {
      const newest = server.ctx.sessions.list(2).sessions;
      const openId = newest[0]!.id;
      const otherId = newest[1]!.id;
      log('Warm-up run…');
      await oneRun(browser, server.url, openId, otherId);
      const runs: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) {
        log(`Run ${i + 1}/${RUNS}…`);
        runs.push(await oneRun(browser, server.url, openId, otherId));
      }
      const keys = Object.keys(runs[0]!) as (keyof RunResult)[];
      const summary = Object.fromEntries(keys.map((k) => [k, stats(runs.map((r) => r[k]))]));
      const result = {
        benchmark: 'dashboard',
        when: new Date().toISOString(),
        machine: { cpus: os.cpus().length, node: process.version, chromium: browser.version() },
        sessions: SESSIONS,
        messages_per_session: MESSAGES,
        open_session: openId,
        runs: RUNS,
        first_visit: summary,
        bundle: bundleSizes(),
      };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
