import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, remoteProxy, screenshot, type RemoteProxy } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { exchange, lastAnswer, openApp, routeId, row, seed, send } from './support.js';

let env: ChatTestEnv;
let browser: Browser;
/** The browser reaches the server through this relay, so the server sees 127.0.0.2: not the owner. */
let proxy: RemoteProxy;

const SECRET_TITLE = 'Secret garden plans';

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  browser = await launchBrowser();
  proxy = await remoteProxy(env.s.url);
  await seed(env.s, { websocket_secret: exchange(SECRET_TITLE, 'Plant the roses by the wall.', new Date(Date.now() - 3600_000)) });
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await env?.close();
});

const loginHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in to PocketPaw' });

/** What a remote browser can get from the API by itself, whatever the UI shows. */
async function apiAccess(page: Page): Promise<{ http: number; ws: number | 'open' }> {
  return page.evaluate(async () => {
    const http = (await fetch('/api/sessions')).status;
    const ws = await new Promise<number | 'open'>((resolve) => {
      const s = new WebSocket(`ws://${location.host}/ws`);
      s.onmessage = (e) => {
        if (String(e.data).includes('connection_info')) {
          s.close();
          resolve('open');
        }
      };
      s.onclose = (e) => resolve(e.code);
    });
    return { http, ws };
  });
}

describe('signing in from another device', () => {
  it('keeps a non-local browser on the login page until the token is entered; then a cookie session works', async () => {
    const { page, context, problems } = await newPage(browser);
    await page.goto(`${proxy.url}/`);
    await loginHeading(page).waitFor();
    await expect.poll(() => page.getByLabel('Access token').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.content()).not.toContain(SECRET_TITLE);
    expect(await apiAccess(page)).toEqual({ http: 401, ws: 4003 });
    await screenshot(page, 'login');

    await page.getByLabel('Access token').fill('0000-not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That token is not valid' }).waitFor();
    await expect(loginHeading(page).isVisible()).resolves.toBe(true);
    expect(await page.content()).not.toContain(SECRET_TITLE);

    await page.getByLabel('Access token').fill(env.s.token);
    await page.getByLabel('Access token').press('Enter');
    await page.locator('.layout[data-auth="ok"]').waitFor();
    await row(page, 'websocket_secret').getByText(SECRET_TITLE).waitFor();
    await page.locator('.conn-ok').waitFor();
    // An HttpOnly cookie: page scripts never see the credential.
    const cookie = (await context.cookies()).find((c) => c.name === 'pocketpaw_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.value).not.toBe(env.s.token);
    await expect(page.evaluate(() => document.cookie)).resolves.not.toContain('pocketpaw_session');
    expect(await apiAccess(page)).toEqual({ http: 200, ws: 'open' });

    // Still signed in after a reload, and chatting works over the cookie-authenticated socket.
    await page.reload();
    await row(page, 'websocket_secret').click();
    await lastAnswer(page).getByText('Plant the roses by the wall.').waitFor();
    env.fake.enqueue(textReply('Hello from afar.'));
    await send(page, 'Anything else?');
    await lastAnswer(page).getByText('Hello from afar.').waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('signing out returns to the login page and closes the API again', async () => {
    const { page, context, problems } = await newPage(browser);
    await page.goto(`${proxy.url}/`);
    await page.getByLabel('Access token').fill(env.s.token);
    await page.getByLabel('Access token').press('Enter');
    await page.locator('.layout[data-auth="ok"]').waitFor();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out of this browser' }).click();
    await loginHeading(page).waitFor();
    await page.getByText('You are signed out.').waitFor();
    expect((await context.cookies()).find((c) => c.name === 'pocketpaw_session')).toBeUndefined();
    await page.reload();
    await loginHeading(page).waitFor();
    expect(await apiAccess(page)).toEqual({ http: 401, ws: 4003 });
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a QR code link signs a phone in, then the token leaves the URL', async () => {
    const res = await env.s.post('/api/auth/session', undefined, { headers: { authorization: `Bearer ${env.s.token}` } });
    const sessionToken = res.body.session_token as string;
    const { page, context, problems } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${proxy.url}/?token=${encodeURIComponent(sessionToken)}#/session/websocket_secret`);
    await page.locator('.layout[data-auth="ok"]').waitFor();
    await page.locator('.messages').getByText('Plant the roses by the wall.').waitFor();
    expect(page.url()).not.toContain('token');
    expect(routeId(page)).toBe('websocket_secret');
    expect((await context.cookies()).find((c) => c.name === 'pocketpaw_session')?.httpOnly).toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('an expired or wrong QR link says so on the login page', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${proxy.url}/?token=1:${'0'.repeat(64)}`);
    await loginHeading(page).waitFor();
    await page.getByText('That sign-in link has expired or is not valid').waitFor();
    expect(page.url()).not.toContain('token');
    await context.close();
  });

  it('on the PocketPaw machine itself there is no login page', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    await row(page, 'websocket_secret').waitFor();
    await expect(loginHeading(page).count()).resolves.toBe(0);
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
