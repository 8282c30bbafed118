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
 *
 * Then, on the same server (its model is a fake OpenAI-compatible server on loopback):
 * - `first_token`: time to the first token on screen. A hook on the page's WebSocket (installed
 *   before the app's scripts) notes when the frame with the answer's first delta arrives; from
 *   there, `dom_ms` is when the text is in the DOM and `paint_ms` when the frame that shows it has
 *   been painted: the first task after that frame's rendering (the app applies text in an
 *   animation-frame callback, so that frame paints it; a change made outside one waits for the
 *   next frame). `next_frame_ms`, the next animation frame after the change, is an upper bound.
 *   Target: paint ≤ 30 ms.
 * - `sidebar_scroll`: the sidebar scrolled programmatically for 2 s (2,400 px/s, loading pages
 *   as it goes); intervals between animation frames: p50/p95/max ms, fps, frames over 25 ms,
 *   long tasks (≥ 50 ms) meanwhile.
 *   Target: 60 fps.
 * - `bundle.initial` vs `bundle.lazy`: the JS the page loads first (the entry script and its
 *   modulepreloads, from index.html) against the chunks loaded on demand, raw and gzip, next to
 *   the figures before issue 12 (`bundle.baseline`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../src/server/start.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startFakeLlm, textReply } from '../test/helpers/fake-llm/index.js';
import { bundleSizes } from './dashboard-bundle.js';
import { seedDatabase } from './seed.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const SESSIONS = Number(process.env.BENCH_DASHBOARD_SESSIONS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_DASHBOARD_MESSAGES ?? 20);
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 7);
const TOKEN_RUNS = Number(process.env.BENCH_DASHBOARD_TOKEN_RUNS ?? 15);
const SCROLL_RUNS = Number(process.env.BENCH_DASHBOARD_SCROLL_RUNS ?? 3);

const TARGETS = { page_ready_ms: 200, first_token_paint_ms: 30, sidebar_scroll_fps: 60 };

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

/** Installed before the app's scripts: when the frame with `__ttft.marker` arrives, and when its text is in the DOM and painted. */
const TTFT_PROBE = `(() => {
  const m = { marker: null, t0: null, dom: null, frame: null, paint: null };
  window.__ttft = m;
  const Orig = window.WebSocket;
  class Probed extends Orig {
    constructor(...args) {
      super(...args);
      // Added before the app's own handler: runs first for each frame.
      this.addEventListener('message', (e) => {
        if (m.marker && m.t0 === null && typeof e.data === 'string' && e.data.includes(m.marker)) m.t0 = performance.now();
      });
    }
  }
  window.WebSocket = Probed;
  // Whether we are inside a frame's rendering: from its first animation-frame callback until the
  // first task after it (a message posted then runs once the frame is painted).
  const raf = window.requestAnimationFrame.bind(window);
  let inFrame = false;
  const afterFrame = (fn) => { const ch = new MessageChannel(); ch.port1.onmessage = () => fn(); ch.port2.postMessage(0); };
  window.requestAnimationFrame = (cb) => raf((t) => {
    if (!inFrame) { inFrame = true; afterFrame(() => { inFrame = false; }); }
    cb(t);
  });
  new MutationObserver(() => {
    if (!m.marker || m.t0 === null || m.dom !== null) return;
    const root = document.querySelector('.messages');
    if (!root || !root.textContent.includes(m.marker)) return;
    m.dom = performance.now();
    // Changed during a frame's callbacks: painted with that frame; otherwise with the next one.
    if (inFrame) afterFrame(() => { m.paint = performance.now(); });
    else raf(() => afterFrame(() => { m.paint = performance.now(); }));
    raf(() => { m.frame = performance.now(); });
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

interface TokenRun {
  dom_ms: number;
  paint_ms: number;
  next_frame_ms: number;
}

/** Waits until `expr` is true in the page (evaluated over CDP: the page's CSP forbids waitForFunction's string eval). */
async function poll(page: Page, expr: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${expr}`);
    await page.waitForTimeout(20);
  }
}

/** One page, `runs` messages in a fresh chat: each answer's first delta → on screen. */
async function measureFirstToken(browser: Browser, url: string, fake: Awaited<ReturnType<typeof startFakeLlm>>, runs: number): Promise<TokenRun[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: TTFT_PROBE });
  const page = await context.newPage();
  await page.goto(`${url}/#/`);
  await page.locator('.conn-ok').waitFor();
  const out: TokenRun[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const marker = `Zq${i}mark`;
    fake.enqueue(textReply(`${marker} is the first word; the rest of this answer comes in small pieces, a few at a time.`, { delayMs: 15 }));
    await page.evaluate(`Object.assign(window.__ttft, { marker: ${JSON.stringify(marker)}, t0: null, dom: null, frame: null, paint: null })`);
    const box = page.getByRole('textbox', { name: 'Message PocketPaw' });
    await box.fill(`Question ${i}`);
    await box.press('Enter');
    await poll(page, 'window.__ttft.frame !== null && window.__ttft.paint !== null');
    const m = (await page.evaluate('window.__ttft')) as { t0: number; dom: number; frame: number; paint: number | null };
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 15_000 });
    if (i === 0) continue; // warm-up: the first turn also opens the chat
    out.push({ dom_ms: m.dom - m.t0, paint_ms: m.paint === null ? NaN : m.paint - m.t0, next_frame_ms: m.frame - m.t0 });
  }
  await context.close();
  return out;
}

/** Frame intervals while the sidebar scrolls at a steady speed for `ms`. */
async function measureScrollSmoothness(browser: Browser, url: string, ms: number) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: `window.__long = []; try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); }).observe({ type: 'longtask' }); } catch {}` });
  const page = await context.newPage();
  await page.goto(`${url}/#/`);
  await page.locator('a.row-link').nth(40).waitFor();
  await page.waitForTimeout(500);
  const longBefore = (await page.evaluate('window.__long.length')) as number;
  const intervals = (await page.evaluate(`new Promise((resolve) => {
    const list = document.querySelector('nav.session-list');
    const speed = 2.4; // px per ms
    const out = [];
    let start = null;
    let last = null;
    const tick = (t) => {
      if (start === null) start = t;
      else out.push(t - last);
      last = t;
      list.scrollTop = (t - start) * speed;
      if (t - start < ${ms}) requestAnimationFrame(tick);
      else resolve(out);
    };
    requestAnimationFrame(tick);
  })`)) as number[];
  const rows = await page.locator('a.row-link').count();
  const longTasks = ((await page.evaluate('window.__long.length')) as number) - longBefore;
  await context.close();
  return { intervals, rows, longTasks };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-web.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-bench-dash-'));
  try {
    log(`Seeding ${SESSIONS} sessions × ${MESSAGES} messages…`);
    const seeded = seedDatabase({ home, sessions: SESSIONS, messagesPerSession: MESSAGES });
    log(`  ${seeded.seconds.toFixed(1)} s`);
    const fake = await startFakeLlm();
    const server = await startServer({
      mode: 'dashboard', host: '127.0.0.1', port: 0, logLevel: 'silent',
      env: {
        ...process.env, POCKETPAW_HOME: home, POCKETPAW_RATE_LIMIT_ENABLED: 'false', POCKETPAW_AUTO_TITLE_LLM: 'false',
        POCKETPAW_LLM_PROVIDER: 'openai', POCKETPAW_OPENAI_API_KEY: 'sk-bench', POCKETPAW_OPENAI_BASE_URL: fake.openaiBaseUrl,
        POCKETPAW_OPENAI_MODEL: 'gpt-bench', POCKETPAW_LLM_MAX_RETRIES: '0',
      },
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
      const summary = Object.fromEntries(keys.map((k) => [k, stats(runs.map((r) => r[k]))])) as Record<keyof RunResult, ReturnType<typeof stats>>;

      log(`First token on screen, ${TOKEN_RUNS} answers…`);
      const tokenRuns = await measureFirstToken(browser, server.url, fake, TOKEN_RUNS);
      const tokenKeys = ['dom_ms', 'paint_ms', 'next_frame_ms'] as const;
      const firstToken = Object.fromEntries(tokenKeys.map((k) => {
        const v = tokenRuns.map((r) => r[k]).filter((n) => Number.isFinite(n)).sort((a, b) => a - b);
        return [k, v.length ? { p50: round1(pct(v, 50)), p95: round1(pct(v, 95)), min: round1(v[0]!), max: round1(v[v.length - 1]!), n: v.length } : null];
      }));

      log(`Sidebar scrolling, ${SCROLL_RUNS} × 2 s…`);
      const frames: number[] = [];
      let rowsAfter = 0;
      let longTasks = 0;
      for (let i = 0; i < SCROLL_RUNS; i++) {
        const r = await measureScrollSmoothness(browser, server.url, 2000);
        frames.push(...r.intervals);
        rowsAfter = r.rows;
        longTasks += r.longTasks;
      }
      const sortedFrames = [...frames].sort((a, b) => a - b);
      const totalMs = frames.reduce((a, b) => a + b, 0);
      const scroll = {
        frames: frames.length,
        frame_p50_ms: round1(pct(sortedFrames, 50)),
        frame_p95_ms: round1(pct(sortedFrames, 95)),
        frame_max_ms: round1(sortedFrames[sortedFrames.length - 1]!),
        fps: round1((frames.length / totalMs) * 1000),
        frames_over_25ms: frames.filter((f) => f > 25).length,
        rows_loaded_at_end: rowsAfter,
        long_tasks: longTasks,
      };
      const result = {
        benchmark: 'dashboard',
        when: new Date().toISOString(),
        machine: { cpus: os.cpus().length, node: process.version, chromium: browser.version() },
        sessions: SESSIONS,
        messages_per_session: MESSAGES,
        open_session: openId,
        runs: RUNS,
        first_visit: summary,
        first_token: firstToken,
        sidebar_scroll: scroll,
        bundle: bundleSizes(),
        targets: {
          page_ready_ms: { target: TARGETS.page_ready_ms, p50: summary.tti_ms.p50, met: summary.tti_ms.p50 <= TARGETS.page_ready_ms },
          first_token_paint_ms: {
            target: TARGETS.first_token_paint_ms,
            p50: firstToken.paint_ms?.p50 ?? null,
            met: firstToken.paint_ms ? firstToken.paint_ms.p50 <= TARGETS.first_token_paint_ms : null,
          },
          sidebar_scroll_fps: { target: TARGETS.sidebar_scroll_fps, fps: scroll.fps, p50_frame_ms: scroll.frame_p50_ms, met: scroll.fps >= TARGETS.sidebar_scroll_fps * 0.95 },
        },
      };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await browser.close();
      await server.close();
      await fake.close();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
