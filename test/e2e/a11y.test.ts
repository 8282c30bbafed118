import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, remoteProxy, screenshot, type RemoteProxy } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { exchange, lastAnswer, openApp, routeId, row, seed, send } from './support.js';
import { AXE_CONTEXT, axe } from './axe.js';

let env: ChatTestEnv;
let browser: Browser;
let proxy: RemoteProxy;

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  browser = await launchBrowser();
  proxy = await remoteProxy(env.s.url);
  const now = Date.now();
  await seed(env.s, {
    websocket_a1: exchange('Plan a trip to Lisbon', 'Day one: **Alfama**. Day two: Belém.\n\n```js\nconsole.log("hi")\n```', new Date(now - 2 * 3600_000)),
    websocket_a2: exchange('Sourdough starter help', 'Feed it daily with equal flour and water.', new Date(now - 30 * 3600_000)),
    websocket_a3: exchange('Lisbon tram routes', 'Tram 28 crosses the old town.', new Date(now - 5 * 24 * 3600_000)),
    telegram_4242: exchange('Message from my phone about Lisbon', 'Got it.', new Date(now - 6 * 24 * 3600_000)),
  });
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await env?.close();
});

/** axe-core (WCAG 2.1 A and AA rules) on the page as it is now. */
describe('accessibility', () => {
  it('the main screens pass axe (WCAG 2.1 AA), light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, context } = await newPage(browser, { ...AXE_CONTEXT, colorScheme });
      await openApp(page, env.s.url, '#/session/websocket_a1');
      await page.locator('.messages').getByText('Alfama').waitFor();
      env.fake.enqueue(toolCallReply('current_time', { timezone: 'Europe/Lisbon' }), textReply('It is *sunny* o’clock.'));
      await send(page, 'What time is it there?');
      await lastAnswer(page).and(page.locator('[data-status="done"]')).waitFor();
      expect(await axe(page), `chat (${colorScheme})`).toEqual([]);

      await page.keyboard.press('Control+k');
      await page.keyboard.type('lisbon');
      await page.getByRole('option').nth(2).waitFor();
      expect(await axe(page), `search (${colorScheme})`).toEqual([]);
      if (colorScheme === 'light') await screenshot(page, 'search');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByRole('dialog', { name: 'Settings' }).getByLabel('Provider').waitFor();
      expect(await axe(page), `settings (${colorScheme})`).toEqual([]);
      await page.keyboard.press('Escape');

      await row(page, 'telegram_4242').click();
      await page.getByText('This conversation came in over Telegram').waitFor();
      expect(await axe(page), `read-only session (${colorScheme})`).toEqual([]);
      await context.close();
    }

    const login = await newPage(browser, AXE_CONTEXT);
    await login.page.goto(`${proxy.url}/`);
    await login.page.getByRole('heading', { name: 'Sign in to PocketPaw' }).waitFor();
    expect(await axe(login.page), 'login').toEqual([]);
    await login.context.close();

    const phone = await newPage(browser, { ...AXE_CONTEXT, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await openApp(phone.page, env.s.url, '#/session/websocket_a2');
    await phone.page.getByRole('button', { name: 'Show conversations' }).click();
    await phone.page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().left >= 0);
    expect(await axe(phone.page), 'phone drawer').toEqual([]);
    await phone.context.close();
  });

  it('works from the keyboard alone: skip link, menus, new chat, search', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url, '#/session/websocket_a2');
    await lastAnswer(page).getByText('Feed it daily').waitFor();
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '';
    });

    // From the top of the sidebar, Tab goes through it in reading order; before it, first on the
    // page, a skip link goes straight to the message box.
    await page.locator('.brand').click();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('New chat');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^Search/);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Plan a trip to Lisbon');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Skip to the message box');
    await expect(page.locator('.skip-link').evaluate((el) => el.getBoundingClientRect().top >= 0)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('composer-input');

    // A row's menu: Enter opens it on its first item, arrows move, Escape closes back to the button.
    const menuButton = page.getByRole('button', { name: 'Options for “Sourdough starter help”' });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    expect(await focused()).toBe('Rename');
    await expect(menuButton.getAttribute('aria-expanded')).resolves.toBe('true');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Export as Markdown');
    await page.keyboard.press('End');
    expect(await focused()).toBe('Delete');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    await expect.poll(() => menuButton.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(menuButton.getAttribute('aria-expanded')).resolves.toBe('false');

    // Ctrl+Shift+O: a new chat.
    await page.keyboard.press('Control+Shift+O');
    await page.getByRole('heading', { name: 'New chat' }).waitFor();
    expect(routeId(page)).toBeNull();

    // Ctrl+K, arrows and Enter open a search hit; typing right after Ctrl+K loses no keystroke.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('tram');
    await page.getByRole('option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.messages').getByText('Tram 28 crosses the old town.').waitFor();
    expect(routeId(page)).toBe('websocket_a3');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('sessions from other channels are shown read-only, with the reason', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url, '#/session/telegram_4242');
    await page.locator('.messages').getByText('Got it.').waitFor();
    await page.getByText('This conversation came in over Telegram').waitFor();
    await expect(page.getByRole('textbox', { name: 'Message PocketPaw' }).count()).resolves.toBe(0);
    await expect(page.locator('.chat-head .chip').textContent()).resolves.toBe('Telegram');
    // Still renamable, exportable and deletable from here.
    await page.getByRole('button', { name: 'Conversation options' }).click();
    await expect(page.getByRole('menuitem').allTextContents()).resolves.toEqual(['Rename', 'Export as Markdown', 'Export as JSON', 'Delete']);
    await page.keyboard.press('Escape');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
