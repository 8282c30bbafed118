import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import type { FixtureMessage } from '../helpers/pocketpaw-fixture.js';
import { DAY, HOUR, exchange, expectActive, lastAnswer, openApp, routeId, row, seed, send } from './support.js';

let env: ChatTestEnv;
let browser: Browser;

const XSS_TITLE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>Plan';
const BULK = 130;
/** Bulk sessions 40–43 share one timestamp, so the first page (50 rows) ends inside the tie. */
const TIE = new Set([40, 41, 42, 43]);

const startOfToday = (() => {
  const d = new Date();
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
})();
const todayAt = (fraction: number) => new Date(startOfToday + (Date.now() - startOfToday) * fraction);

/** Every seeded session id, newest activity first (ties by id, descending), as the server orders them. */
const expectedOrder: string[] = [];

function gardenConversation(at: Date): FixtureMessage[] {
  const msgs: FixtureMessage[] = [];
  for (let i = 0; i < 20; i++) {
    const q = i === 1 ? 'Have you heard of the Zanzibar tomato variety? It is said to be very sweet.' : `Garden question ${i}: how should I prune plant number ${i}?`;
    const a = `Answer ${i}. ${'Pruning keeps the plant healthy and lets light reach the fruit. '.repeat(6)}`;
    msgs.push(...exchange(q, a, new Date(at.getTime() + i * 60_000)));
  }
  return msgs;
}

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  browser = await launchBrowser();
  const sessions: Record<string, FixtureMessage[]> = {
    websocket_t1: exchange('Tomato seedlings indoors', 'Use a grow light.', todayAt(0.6)),
    websocket_t2: exchange('Compost basics', 'Mix greens and browns.', todayAt(0.3)),
    websocket_y1: exchange('Planning the raised bed', 'Start with the soil.', new Date(startOfToday - DAY + 12 * HOUR)),
    websocket_w1: exchange('Mulch or not', 'Mulch keeps moisture in.', new Date(startOfToday - 3 * DAY + 12 * HOUR)),
    websocket_garden: gardenConversation(new Date(startOfToday - 4 * DAY + 9 * HOUR)),
    websocket_xss: exchange('A session with a strange title', 'Fine.', new Date(startOfToday - 5 * DAY + 12 * HOUR)),
    websocket_export1: exchange('Export me please', 'Here is **the** answer to export.', new Date(startOfToday - 6 * DAY + 12 * HOUR)),
    websocket_delete1: exchange('Delete me soon', 'Gone shortly.', new Date(startOfToday - 6 * DAY + 11 * HOUR)),
  };
  expectedOrder.push(...Object.keys(sessions));
  const bulkStart = startOfToday - 40 * DAY;
  const bulk: string[] = [];
  for (let i = 0; i < BULK; i++) {
    const id = `websocket_old${String(i).padStart(3, '0')}`;
    const at = new Date(bulkStart - (TIE.has(i) ? 40 : i) * 60_000);
    sessions[id] = exchange(`Old question ${i}`, `Old answer ${i}`, at);
    bulk.push(id);
  }
  // Bulk order: by time descending; inside the tie, by id descending.
  const tie = bulk.filter((_, i) => TIE.has(i)).sort().reverse();
  for (let i = 0; i < BULK; i++) {
    if (i === 40) expectedOrder.push(...tie);
    else if (!TIE.has(i)) expectedOrder.push(bulk[i]!);
  }
  await seed(env.s, sessions, { websocket_xss: XSS_TITLE });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function sidebarIds(page: Page): Promise<string[]> {
  return page.locator('a.row-link').evaluateAll((els) => els.map((e) => e.getAttribute('data-session-id')!));
}

async function serverTitle(id: string): Promise<string> {
  let before: string | undefined;
  for (;;) {
    const res = await env.s.get(`/api/sessions?limit=500${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    const hit = (res.body.sessions as { id: string; title: string }[]).find((s) => s.id === id);
    if (hit) return hit.title;
    if (res.body.sessions.length < 500) throw new Error(`no session ${id}`);
    before = res.body.sessions.at(-1).last_activity;
  }
}

describe('sessions sidebar', () => {
  it('lists every session newest first, grouped by day, loading more as it scrolls (thousands stay fast)', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    await page.locator('a.row-link').nth(49).waitFor();
    // First page only: the rest loads on scroll.
    expect((await sidebarIds(page)).length).toBeLessThan(expectedOrder.length);
    // Older chats are grouped by month ("October 2026"), not in one "Older" group.
    const oldMonth = new Date(startOfToday - 40 * DAY).toLocaleDateString('en-US', { month: 'long', year: 'numeric' });
    const labels = await page.locator('.group-label').allTextContents();
    expect(labels.slice(0, 4)).toEqual(['Today', 'Yesterday', 'Previous 7 days', oldMonth]);
    const groupOf = async (id: string) =>
      row(page, id).evaluate((a) => a.closest('section')!.querySelector('.group-label')!.textContent);
    expect(await groupOf('websocket_t1')).toBe('Today');
    expect(await groupOf('websocket_y1')).toBe('Yesterday');
    expect(await groupOf('websocket_garden')).toBe('Previous 7 days');
    expect(await groupOf('websocket_old000')).toBe(oldMonth);

    const list = page.getByRole('navigation', { name: 'Conversations' });
    for (let count = await page.locator('a.row-link').count(); count < expectedOrder.length; count = await page.locator('a.row-link').count()) {
      await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForFunction((n) => document.querySelectorAll('a.row-link').length > n, count);
    }
    const ids = await sidebarIds(page);
    // All of them, each once, in the server's order: the ones that share the page boundary's timestamp too.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expectedOrder);
    await expect(page.locator('.total').textContent()).resolves.toBe(`${expectedOrder.length} chats`);
    // Chunks of rows off screen are not rendered (content-visibility), which keeps a long list cheap.
    await expect(page.locator('ul.rows').first().evaluate((el) => getComputedStyle(el).contentVisibility)).resolves.toBe('auto');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('renames inline on double-click: Enter saves, and every open tab shows the new title at once', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const a = await context.newPage();
    const b = await context.newPage();
    await openApp(a, env.s.url);
    await openApp(b, env.s.url);
    await a.bringToFront();
    await row(a, 'websocket_t1').dblclick();
    const input = a.getByRole('textbox', { name: 'Conversation title' });
    await input.waitFor();
    await expect(input.inputValue()).resolves.toBe('Tomato seedlings indoors');
    await input.fill('Seedling schedule');
    await input.press('Enter');
    await row(a, 'websocket_t1').getByText('Seedling schedule').waitFor();
    // The other tab learns it from the session events, without a reload.
    await row(b, 'websocket_t1').getByText('Seedling schedule').waitFor();
    expect(await serverTitle('websocket_t1')).toBe('Seedling schedule');
    await context.close();
  });

  it('F2 renames the focused row, Escape cancels, an empty title is refused; the menu can rename too', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const link = row(page, 'websocket_t2');
    await link.focus();
    await page.keyboard.press('F2');
    const input = page.getByRole('textbox', { name: 'Conversation title' });
    await input.waitFor();
    await page.keyboard.type(' (draft)');
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'detached' });
    await expect(link.textContent()).resolves.toBe('Compost basics');
    expect(await serverTitle('websocket_t2')).toBe('Compost basics');
    // Focus is back on the row, so the keyboard user carries on where they were.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-session-id'))).toBe('websocket_t2');

    await page.keyboard.press('F2');
    await input.waitFor();
    await input.fill('   ');
    await input.press('Enter');
    const error = page.getByRole('alert').filter({ hasText: 'can’t be empty' });
    await error.waitFor();
    await expect(input.isVisible()).resolves.toBe(true);
    await expect(input.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await serverTitle('websocket_t2')).toBe('Compost basics');
    await input.press('Escape');

    await page.getByRole('button', { name: 'Options for “Compost basics”' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await input.fill('Compost, the basics');
    await input.press('Enter');
    await row(page, 'websocket_t2').getByText('Compost, the basics').waitFor();
    expect(await serverTitle('websocket_t2')).toBe('Compost, the basics');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Ctrl+K searches as you type, highlights the match, and opens the session scrolled to it', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    let searches = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/sessions/search')) searches++;
    });
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Search conversations' });
    await dialog.waitFor();
    const box = page.getByRole('combobox', { name: 'Search conversations' });
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('zanzibar', { delay: 15 });
    const hit = dialog.getByRole('option');
    // Wait for the results of the whole word: on a slow machine the keystrokes can be further
    // apart than the debounce, and results for "z", "za"… show in between.
    await hit.locator('mark', { hasText: /^Zanzibar$/ }).first().waitFor();
    await expect(hit.count()).resolves.toBe(1);
    await expect(hit.first().locator('.hit-title').textContent()).resolves.toBe('Garden question 0: how should I prune plant number 0?');
    await expect(hit.first().locator('mark').allTextContents()).resolves.toEqual(['Zanzibar']);
    // Debounced: fewer requests than keystrokes.
    expect(searches).toBeGreaterThanOrEqual(1);
    expect(searches).toBeLessThan('zanzibar'.length);

    // Escape closes; Ctrl+K again reopens empty; Enter opens the first result.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+k');
    await dialog.waitFor();
    await page.keyboard.type('ZANZIBAR');
    await hit.locator('mark', { hasText: /^Zanzibar$/ }).first().waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(routeId(page)).toBe('websocket_garden');
    await expectActive(page, 'websocket_garden');

    // The message with the match is on screen and marked, though the conversation is long.
    const mark = page.locator('.messages mark.find-hit');
    await mark.first().waitFor();
    await expect(mark.first().textContent()).resolves.toBe('Zanzibar');
    const inView = await mark.first().evaluate((m) => {
      const box = m.getBoundingClientRect();
      const view = document.querySelector('.messages')!.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    });
    expect(inView).toBe(true);
    const atBottom = await page.locator('.messages').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 80);
    expect(atBottom).toBe(false);
    await screenshot(page, 'search-hit-opened');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('deletes after a confirmation; the session disappears here and in other tabs', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const other = await context.newPage();
    await openApp(page, env.s.url, '#/session/websocket_delete1');
    await openApp(other, env.s.url);
    await page.bringToFront();
    await lastAnswer(page).getByText('Gone shortly.').waitFor();

    await page.getByRole('button', { name: 'Conversation options' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete conversation?' });
    await confirm.waitFor();
    await expect(confirm.textContent()).resolves.toContain('“Delete me soon” and its 2 messages');
    await screenshot(page, 'delete-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await env.s.get('/api/v1/sessions/websocket_delete1/history')).body).toHaveLength(2);

    await page.getByRole('button', { name: 'Conversation options' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row(page, 'websocket_delete1').waitFor({ state: 'detached' });
    await row(other, 'websocket_delete1').waitFor({ state: 'detached' });
    // The open session is gone: back to a new chat.
    await page.getByRole('heading', { name: 'New chat' }).waitFor();
    expect(routeId(page)).toBeNull();
    expect((await env.s.del('/api/sessions/websocket_delete1')).status).toBe(404);
    await context.close();
  });

  it('exports a session as Markdown and as JSON: a download with the right content', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const menuFor = async () => {
      await row(page, 'websocket_export1').hover();
      await page.getByRole('button', { name: 'Options for “Export me please”' }).click();
    };
    await menuFor();
    const [md] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Export as Markdown' }).click()]);
    expect(md.suggestedFilename()).toBe('pocketpaw-session-websocket_export1.md');
    const mdText = fs.readFileSync((await md.path())!, 'utf8');
    expect(mdText.split('\n')[0]).toBe('# Conversation Export');
    expect(mdText).toContain('**Session**: `websocket_export1` | **Messages**: 2');
    expect(mdText).toContain('Export me please');
    expect(mdText).toContain('Here is **the** answer to export.');

    await menuFor();
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Export as JSON' }).click()]);
    expect(json.suggestedFilename()).toBe('pocketpaw-session-websocket_export1.json');
    const body = JSON.parse(fs.readFileSync((await json.path())!, 'utf8'));
    expect(body.session_id).toBe('websocket_export1');
    expect(body.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ['user', 'Export me please'],
      ['assistant', 'Here is **the** answer to export.'],
    ]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('the URL follows the open session: back returns to the previous one, reload keeps it, a new chat gets its own', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    await row(page, 'websocket_w1').click();
    await lastAnswer(page).getByText('Mulch keeps moisture in.').waitFor();
    expect(routeId(page)).toBe('websocket_w1');
    await row(page, 'websocket_y1').click();
    await lastAnswer(page).getByText('Start with the soil.').waitFor();
    expect(routeId(page)).toBe('websocket_y1');

    await page.goBack();
    await lastAnswer(page).getByText('Mulch keeps moisture in.').waitFor();
    expect(routeId(page)).toBe('websocket_w1');
    await expectActive(page, 'websocket_w1');

    await page.reload();
    await lastAnswer(page).getByText('Mulch keeps moisture in.').waitFor();
    await expectActive(page, 'websocket_w1');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Mulch or not');

    // Continuing after the reload stays in the same session.
    env.fake.enqueue(textReply('Straw works well.'));
    await send(page, 'Which mulch?');
    await lastAnswer(page).getByText('Straw works well.').waitFor();
    expect((await env.s.get('/api/v1/sessions/websocket_w1/history')).body.map((m: { content: string }) => m.content)).toEqual([
      'Mulch or not', 'Mulch keeps moisture in.', 'Which mulch?', 'Straw works well.',
    ]);

    // New chat: an empty screen at #/, then its own URL with the first message.
    await page.getByRole('button', { name: 'New chat' }).first().click();
    await page.getByRole('heading', { name: 'New chat' }).waitFor();
    expect(routeId(page)).toBeNull();
    env.fake.enqueue(textReply('Fresh start.'));
    await send(page, 'A brand new topic');
    await lastAnswer(page).getByText('Fresh start.').waitFor();
    const id = routeId(page);
    expect(id).toMatch(/^websocket_[0-9a-f-]{36}$/);
    await page.reload();
    await lastAnswer(page).getByText('Fresh start.').waitFor();
    await expect(page.locator('.msg-user .bubble').allTextContents()).resolves.toEqual(['A brand new topic']);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a title with HTML and script renders as text everywhere and runs nothing', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const link = row(page, 'websocket_xss');
    await expect(link.locator('.row-title').textContent()).resolves.toBe(XSS_TITLE);
    await link.click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(XSS_TITLE);
    await page.keyboard.press('Control+k');
    await page.keyboard.type('strange title');
    // The hit for the whole query (results for a partial one may show first on a slow machine).
    const hit = page.getByRole('option').filter({ has: page.locator('mark', { hasText: /^strange title$/i }) }).first();
    await hit.waitFor();
    await expect(hit.locator('.hit-title').textContent()).resolves.toBe(XSS_TITLE);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: `Options for “${XSS_TITLE}”` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await expect(page.getByRole('alertdialog').textContent()).resolves.toContain(XSS_TITLE);
    await page.keyboard.press('Escape');

    await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator('.sidebar img, .sidebar script, .chat-head img, .chat-head script').count()).resolves.toBe(0);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('works on a phone-sized screen: the list is a drawer that closes when a session is chosen', async () => {
    const { page, context, problems } = await newPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await openApp(page, env.s.url, '#/session/websocket_garden');
    await lastAnswer(page).waitFor();
    const sidebar = page.locator('#sidebar');
    const offscreen = async () => sidebar.evaluate((el) => el.getBoundingClientRect().right <= 0);
    await expect(offscreen()).resolves.toBe(true);
    await screenshot(page, 'mobile-chat');

    await page.getByRole('button', { name: 'Show conversations' }).click();
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().left >= 0);
    await screenshot(page, 'mobile-sidebar');
    await row(page, 'websocket_y1').click();
    await lastAnswer(page).getByText('Start with the soil.').waitFor();
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().right <= 0);
    expect(routeId(page)).toBe('websocket_y1');
    // No sideways scrolling on a narrow screen.
    await expect(page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).resolves.toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
