/**
 * Reading and writing comfortably (issue 12): highlighted code loaded on demand, Copy buttons,
 * tables that scroll sideways on a phone, month headings in the sidebar, the theme toggle, and
 * the notice shown while the model has not said anything yet — each also checked with axe.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { DAY, exchange, lastAnswer, openApp, row, seed, send } from './support.js';
import { AXE_CONTEXT, axe } from './axe.js';

let env: ChatTestEnv;
let browser: Browser;

const TS_CODE = ['interface Plant {', '  name: string;', '}', 'export function water(p: Plant): number {', "  return p.name === 'tomato' ? 2 : 1; // litres", '}'].join('\n');
const CODE_ANSWER = `Here is the helper:\n\n\`\`\`ts\n${TS_CODE}\n\`\`\`\n\nCall it daily.`;
const TABLE_ANSWER = [
  'The yearly figures:',
  '',
  '| Region | Revenue 2025 | Revenue 2026 | Change | Customers | Average order |',
  '|---|---|---|---|---|---|',
  '| North-west highlands | 1,234,567.89 € | 1,456,789.01 € | +18.0 % | 120,345 | 98.76 € |',
  '| Southern coast | 987,654.32 € | 1,012,345.67 € | +2.5 % | 98,765 | 101.23 € |',
].join('\n');

/** A month in the past, on its 15th at noon local time (clear of month and day edges). */
function monthsAgo(n: number): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth() - n, 15, 12);
}
const monthLabel = (d: Date) => d.toLocaleDateString('en-US', { month: 'long', year: 'numeric' });

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  browser = await launchBrowser();
  const now = Date.now();
  await seed(env.s, {
    websocket_plain: exchange('Plain question', 'A plain answer, no code at all.', new Date(now - 3600_000)),
    websocket_code: exchange('Show me some TypeScript', CODE_ANSWER, new Date(now - 2 * 3600_000)),
    websocket_table: exchange('Sales by region?', TABLE_ANSWER, new Date(now - 3 * 3600_000)),
    websocket_m2: exchange('Two months back', 'Old news.', monthsAgo(2)),
    websocket_m5: exchange('Five months back', 'Older news.', monthsAgo(5)),
    websocket_m5b: exchange('Also five months back', 'Older news too.', new Date(monthsAgo(5).getTime() - DAY)),
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

describe('reading and writing comfortably', () => {
  it('highlights code only after the lazy chunk loads (not in the first bundle); Copy copies and says so', async () => {
    // The entry script the page loads first has no highlighter in it.
    const html = await (await fetch(`${env.s.url}/`)).text();
    const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
    expect(entry).toBeTruthy();
    const entryJs = await (await fetch(`${env.s.url}${entry}`)).text();
    expect(entryJs).not.toContain('registerLanguage');

    const { page, context, problems } = await newPage(browser, AXE_CONTEXT);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.s.url });
    const chunks: string[] = [];
    page.on('request', (r) => {
      if (/\/assets\/highlight-[\w-]+\.js$/.test(r.url())) chunks.push(r.url());
    });
    // A chat without code: the highlighter is not fetched.
    await openApp(page, env.s.url, '#/session/websocket_plain');
    await lastAnswer(page).getByText('A plain answer').waitFor();
    await page.waitForTimeout(300);
    expect(chunks).toEqual([]);

    await row(page, 'websocket_code').click();
    const code = lastAnswer(page).locator('.code-block code');
    await code.and(page.locator('.hljs')).waitFor();
    expect(chunks).toHaveLength(1);
    const chunkJs = await (await fetch(chunks[0]!)).text();
    expect(chunkJs).toContain('registerLanguage');
    await expect(code.locator('.hljs-keyword').first().textContent()).resolves.toBe('interface');
    await expect(code.locator('.hljs-comment').textContent()).resolves.toBe('// litres');
    // The text is unchanged by the colouring.
    await expect(code.textContent()).resolves.toBe(`${TS_CODE}\n`);
    // Keyword colour differs from plain text, in light and in dark (forced by the toggle's attribute).
    const colours = () => code.evaluate((el) => [getComputedStyle(el.querySelector('.hljs-keyword')!).color, getComputedStyle(el).color]);
    const [kwLight, textLight] = await colours();
    expect(kwLight).not.toBe(textLight);
    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
    await page.waitForTimeout(300); // colour transitions (buttons) settle before axe measures contrast
    const [kwDark] = await colours();
    expect(kwDark).not.toBe(kwLight);
    expect(await axe(page), 'highlighted code, dark').toEqual([]);
    await page.evaluate(() => document.documentElement.removeAttribute('data-theme'));
    await page.waitForTimeout(300);
    expect(await axe(page), 'highlighted code, light').toEqual([]);

    // Copy, from the keyboard: the code goes to the clipboard, the button and a live region say so.
    const copy = lastAnswer(page).getByRole('button', { name: 'Copy ts code' });
    await copy.focus();
    await page.keyboard.press('Enter');
    await lastAnswer(page).getByRole('button', { name: 'Copied' }).waitFor();
    await expect(lastAnswer(page).locator('.copy-status').textContent()).resolves.toBe('Copied to the clipboard');
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`${TS_CODE}\n`);
    await screenshot(page, 'polish-code');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a streamed code block is highlighted once it is finished', async () => {
    const { page, context } = await newPage(browser);
    await openApp(page, env.s.url);
    env.fake.enqueue(textReply('Try this:\n\n```python\ndef water(plant):\n    return plant.soak(minutes=10)\n```\n\nDone, that is all.', { delayMs: 60 }));
    await send(page, 'Python please');
    const code = lastAnswer(page).locator('.code-block code');
    await code.waitFor();
    // Still streaming, fence open: plain text.
    const openWhile = await page.evaluate(() => {
      const pre = document.querySelector('article.msg-assistant[data-status="streaming"] .code-block pre');
      return pre ? pre.classList.contains('code-open') && !pre.querySelector('.hljs') : null;
    });
    if (openWhile !== null) expect(openWhile).toBe(true);
    await lastAnswer(page).and(page.locator('[data-status="done"]')).waitFor();
    await code.and(page.locator('.hljs')).waitFor();
    await expect(code.locator('.hljs-keyword').first().textContent()).resolves.toBe('def');
    await context.close();
  });

  it('a wide table scrolls sideways at phone width instead of wrapping its numbers', async () => {
    const { page, context, problems } = await newPage(browser, { ...AXE_CONTEXT, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await openApp(page, env.s.url, '#/session/websocket_table');
    const wrap = lastAnswer(page).locator('.table-wrap');
    await wrap.waitFor();
    const m = await wrap.evaluate((el) => {
      const cell = [...el.querySelectorAll('td')].find((td) => td.textContent === '1,234,567.89 €')!;
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lineTops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return {
        scrolls: el.scrollWidth > el.clientWidth + 10,
        numeric: cell.classList.contains('num') && getComputedStyle(cell).whiteSpace === 'nowrap',
        oneLine: lineTops.size === 1,
        region: el.getAttribute('role') === 'region' && el.tabIndex === 0,
        pageOverflow: document.documentElement.scrollWidth > window.innerWidth,
      };
    });
    expect(m).toEqual({ scrolls: true, numeric: true, oneLine: true, region: true, pageOverflow: false });
    // Scrolls by keyboard too (the region is focusable).
    await wrap.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('.table-wrap')!.scrollLeft > 0);
    await screenshot(page, 'polish-table-phone');
    expect(await axe(page), 'table on a phone').toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('groups older chats by month with headings, and rows show their day', async () => {
    const { page, context } = await newPage(browser, AXE_CONTEXT);
    await openApp(page, env.s.url);
    await row(page, 'websocket_m5b').waitFor();
    const labels = await page.locator('.group-label').allTextContents();
    expect(labels).toEqual(['Today', monthLabel(monthsAgo(2)), monthLabel(monthsAgo(5))]);
    expect(labels).not.toContain('Older');
    const heading = (id: string) => row(page, id).evaluate((a) => a.closest('section')!.querySelector('.group-label')!.textContent);
    expect(await heading('websocket_m5')).toBe(monthLabel(monthsAgo(5)));
    expect(await heading('websocket_m5b')).toBe(monthLabel(monthsAgo(5)));
    const m5 = monthsAgo(5);
    const short = m5.toLocaleDateString('en-US', { month: 'short' });
    await expect(row(page, 'websocket_m5').locator('time').textContent()).resolves.toBe(`15 ${short}`);
    await expect(row(page, 'websocket_m5b').locator('time').textContent()).resolves.toBe(`14 ${short}`);
    // Today's rows need no date: the heading says it.
    await expect(row(page, 'websocket_plain').locator('time').count()).resolves.toBe(0);
    expect(await axe(page), 'month headings').toEqual([]);
    await context.close();
  });

  it('the theme toggle cycles System → Light → Dark by keyboard, persists, and applies before the app runs', async () => {
    const { page, context, problems } = await newPage(browser, { ...AXE_CONTEXT, colorScheme: 'light' });
    await openApp(page, env.s.url, '#/session/websocket_code');
    const toggle = page.getByRole('button', { name: /^Theme: / });
    await expect(toggle.getAttribute('aria-label')).resolves.toBe('Theme: System. Switch to Light');
    await expect(page.evaluate(() => document.documentElement.getAttribute('data-theme'))).resolves.toBeNull();
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.documentElement.getAttribute('data-theme'))).resolves.toBe('light');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.documentElement.getAttribute('data-theme'))).resolves.toBe('dark');
    await expect(toggle.getAttribute('aria-label')).resolves.toBe('Theme: Dark. Switch to System');
    const bodyBg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await bodyBg()).toBe('rgb(26, 26, 29)'); // dark, though the system is light
    await page.waitForTimeout(300);
    expect(await axe(page), 'forced dark theme').toEqual([]);
    await screenshot(page, 'polish-dark');

    // Reload: still dark.
    await page.reload();
    await page.locator('.layout[data-auth="ok"]').waitFor();
    await expect(page.evaluate(() => document.documentElement.getAttribute('data-theme'))).resolves.toBe('dark');
    await expect(toggle.getAttribute('aria-label')).resolves.toBe('Theme: Dark. Switch to System');

    // Before the first paint: with the app's own script blocked, the page is already dark.
    const bare = await context.newPage();
    await bare.route(/\/static\/assets\/index-[\w-]+\.js$/, (r) => r.abort());
    await bare.goto(`${env.s.url}/`);
    await expect(bare.evaluate(() => document.documentElement.getAttribute('data-theme'))).resolves.toBe('dark');
    await expect(bare.evaluate(() => getComputedStyle(document.body).backgroundColor)).resolves.toBe('rgb(26, 26, 29)');
    await bare.close();

    // Back to following the system: nothing stored.
    await page.keyboard.press('Tab'); // focus somewhere, then use the toggle again
    await toggle.click();
    await expect(page.evaluate(() => [document.documentElement.getAttribute('data-theme'), localStorage.getItem('pocketpaw.theme')])).resolves.toEqual([null, null]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('says it is still waiting for the model after 5 s of silence, counting up, and Stop ends the turn', async () => {
    const { page, context, problems } = await newPage(browser, AXE_CONTEXT);
    await openApp(page, env.s.url);
    const before = env.fake.requests.length;
    env.fake.enqueue({ steps: [{ hang: true }] });
    await send(page, 'Are you there?');
    const notice = page.locator('.waiting-notice');
    await page.waitForTimeout(3000);
    await expect(notice.count()).resolves.toBe(0); // not before ~5 s
    await notice.waitFor({ timeout: 6000 });
    await expect(notice.textContent()).resolves.toMatch(/Still waiting for the model \((5|6) s\)…/);
    await page.waitForFunction(() => /\((7|8|9) s\)/.test(document.querySelector('.waiting-notice')?.textContent ?? ''), undefined, { timeout: 4000 });
    await expect(notice.getAttribute('role')).resolves.toBe('status');
    expect(await axe(page), 'waiting notice').toEqual([]);
    await screenshot(page, 'polish-waiting');

    await notice.getByRole('button', { name: 'Stop' }).click();
    await env.fake.waitForAbort(before);
    await notice.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Send message' }).waitFor();
    await expect(lastAnswer(page).getAttribute('data-status')).resolves.not.toBe('streaming');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
