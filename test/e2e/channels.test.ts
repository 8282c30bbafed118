import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { AXE_CONTEXT, axe } from './axe.js';
import { exchange, openApp, row, seed } from './support.js';

const TOKEN = '123456789:AAHtestTokenForTheDashboard_e2e';
const DISCORD_TOKEN = 'discord-e2e-token-not-shown';

/**
 * A Telegram Bot API server as far as starting a bot and pairing need it: `POST /bot<token>/<method>`
 * with a JSON body, `{ok, result}` answers, 401 for another token, and `getUpdates` long polling
 * (held until an update is queued, or half a second). `push` queues a message from a user.
 */
async function fakeTelegram() {
  const updates: { update_id: number; message: Record<string, unknown> }[] = [];
  const waiters = new Set<() => void>();
  let nextId = 1;
  let getMeDelayMs = 0;
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
      const send = (status: number, body: unknown) => {
        if (!res.writableEnded) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (!m || m[1] !== TOKEN) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const method = m[2]!;
      calls.push(method);
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const ok = (result: unknown) => send(200, { ok: true, result });
      if (method === 'getMe') {
        setTimeout(() => ok({ id: 999, is_bot: true, first_name: 'Paw', username: 'paw_e2e_bot' }), getMeDelayMs);
      } else if (method === 'getUpdates') {
        const offset = Number(body.offset ?? 0);
        const ready = () => updates.filter((u) => u.update_id >= offset);
        if (ready().length || !body.timeout) return ok(ready());
        const done = () => {
          waiters.delete(done);
          clearTimeout(timer);
          ok(ready());
        };
        const timer = setTimeout(done, 500);
        waiters.add(done);
        res.on('close', () => {
          waiters.delete(done);
          clearTimeout(timer);
        });
      } else if (method === 'sendMessage') {
        ok({ message_id: nextId++, date: 0, chat: { id: body.chat_id, type: 'private' }, text: body.text });
      } else {
        ok(true);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    slowGetMe: (ms: number) => void (getMeDelayMs = ms),
    push(fromId: number, text: string) {
      const id = nextId++;
      updates.push({ update_id: id, message: { message_id: id, date: 0, text, chat: { id: fromId, type: 'private' }, from: { id: fromId, is_bot: false, first_name: 'Owner' } } });
      for (const w of [...waiters]) w();
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let env: ChatTestEnv;
let browser: Browser;
let telegram: Awaited<ReturnType<typeof fakeTelegram>>;

beforeAll(async () => {
  telegram = await fakeTelegram();
  // Discord has a token but no allow list: configured, and refused at start.
  env = await startChatServer('openai', { mode: 'dashboard', env: { POCKETPAW_DISCORD_BOT_TOKEN: DISCORD_TOKEN } });
  browser = await launchBrowser();
  const now = Date.now();
  await seed(env.s, {
    telegram_4242: exchange('Sent from my phone', 'Got it.', new Date(now - 3600_000)),
    websocket_d1: exchange('Typed in the dashboard', 'Noted.', new Date(now - 7200_000)),
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
  await telegram?.close();
});

const card = (page: Page, name: string) => page.locator(`section.ch-card[data-channel="${name}"]`);
const settings = async () => (await env.s.get('/api/v1/settings')).body as Record<string, unknown>;
const status = async () => (await env.s.get('/api/v1/channels/status')).body as Record<string, { configured: boolean; running: boolean; autostart: boolean }>;

async function openChannels(page: Page): Promise<void> {
  await openApp(page, env.s.url, '#/panel/channels');
  await card(page, 'telegram').waitFor();
}

/** The page holds the token nowhere: not in its markup, not in any field. */
async function pageHolds(page: Page, secret: string): Promise<boolean> {
  const values = await page.evaluate(() => [...document.querySelectorAll('input, textarea')].map((el) => (el as HTMLInputElement).value));
  return (await page.content()).includes(secret) || values.some((v) => v.includes(secret));
}

describe('channels panel', { retry: 1 }, () => {
  it('lists the eight channels with the state the server reports', async () => {
    const { page, context, problems } = await newPage(browser);
    await openChannels(page);
    const api = await status();
    expect(api.discord).toMatchObject({ configured: true, running: false });
    expect(api.telegram).toMatchObject({ configured: false, running: false });

    const states = await page.locator('section.ch-card').evaluateAll((els) => els.map((el) => [(el as HTMLElement).dataset.channel, (el as HTMLElement).dataset.state]));
    expect(states).toEqual([['telegram', 'unconfigured'], ['discord', 'stopped'], ['slack', 'unconfigured'], ['whatsapp', 'unconfigured']]);
    await expect(card(page, 'discord').locator('.ch-state').textContent()).resolves.toBe('Stopped');
    await expect(card(page, 'slack').locator('.ch-state').textContent()).resolves.toBe('Not configured');
    // Not configured: nothing to start yet, and the form is open.
    await expect(page.getByRole('button', { name: 'Start Slack' }).isDisabled()).resolves.toBe(true);
    await expect(card(page, 'slack').locator('details.ch-setup').getAttribute('open')).resolves.not.toBeNull();
    // Each field says where to find it on the platform.
    await card(page, 'slack').getByText('App-level token').first().waitFor();
    await card(page, 'slack').getByText(/connections:write.*Socket Mode/).waitFor();
    await card(page, 'whatsapp').getByText(`${env.s.url}/webhook/whatsapp`).waitFor();

    const others = page.getByRole('list', { name: 'Platforms this server cannot run' }).getByRole('listitem');
    await expect(others.allTextContents()).resolves.toEqual([
      'Signal — not supported by this server yet.', 'Matrix — not supported by this server yet.',
      'Microsoft Teams — not supported by this server yet.', 'Google Chat — not supported by this server yet.',
    ]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Start on a channel without an allow list shows the server’s refusal as it is', async () => {
    const { page, context, problems } = await newPage(browser);
    await openChannels(page);
    const refusal = ((await env.s.post('/api/v1/channels/toggle', { channel: 'discord', action: 'start' })).body as { error: string }).error;
    expect(refusal).toMatch(/^Failed to start discord: Discord has no allow list/);
    await page.getByRole('button', { name: 'Start Discord' }).click();
    await expect.poll(() => card(page, 'discord').getByRole('alert').textContent()).toBe(refusal);
    await expect(card(page, 'discord').getAttribute('data-state')).resolves.toBe('stopped');
    // The Discord token was saved from the environment: "saved", never the token.
    await card(page, 'discord').getByText('Discord settings', { exact: true }).click();
    await card(page, 'discord').locator('label[for="ch-discord-bot_token"] .ch-saved').waitFor();
    expect(await pageHolds(page, DISCORD_TOKEN)).toBe(false);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Telegram: saving token and user id configures it, the token leaves the page; it starts against the Bot API and stops', async () => {
    const { page, context, problems } = await newPage(browser);
    await openChannels(page);
    const tg = card(page, 'telegram');
    await tg.getByLabel('Bot token').fill(TOKEN);
    await tg.getByLabel('Allowed user id').fill('4242');
    await tg.locator('summary', { hasText: 'Advanced' }).click();
    await tg.getByLabel('API base URL').fill(telegram.url);
    await tg.getByRole('button', { name: 'Save Telegram settings' }).click();
    await tg.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.locator('section.ch-card[data-channel="telegram"][data-state="stopped"]').waitFor();

    const s = await settings();
    expect(s).toMatchObject({ has_telegram_bot_token: true, allowed_user_id: '4242', telegram_api_base_url: telegram.url });
    expect(await pageHolds(page, TOKEN)).toBe(false);
    await tg.locator('label[for="ch-telegram-bot_token"] .ch-saved').waitFor();

    // Start: the button is disabled while the server connects (getMe is slow here), then it runs.
    telegram.slowGetMe(600);
    await tg.getByRole('button', { name: 'Start Telegram' }).click();
    await tg.getByRole('button', { name: 'Starting…' }).waitFor();
    await expect(tg.getByRole('button', { name: 'Starting…' }).isDisabled()).resolves.toBe(true);
    await page.locator('section.ch-card[data-channel="telegram"][data-state="running"]').waitFor();
    telegram.slowGetMe(0);
    expect((await status()).telegram).toMatchObject({ configured: true, running: true });
    expect(telegram.calls).toContain('getUpdates');
    await expect(tg.locator('.ch-state').textContent()).resolves.toBe('Running');

    await tg.getByRole('button', { name: 'Stop Telegram' }).click();
    await page.locator('section.ch-card[data-channel="telegram"][data-state="stopped"]').waitFor();
    expect((await status()).telegram?.running).toBe(false);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Telegram pairing: a QR code and link, and the /start sent from Telegram fills in the allowed user', async () => {
    await env.s.post('/api/v1/channels/save', { channel: 'telegram', config: { api_base_url: telegram.url } });
    const { page, context, problems } = await newPage(browser, AXE_CONTEXT);
    await openChannels(page);
    const tg = card(page, 'telegram');
    if ((await tg.locator('details.ch-setup').getAttribute('open')) === null) await tg.getByText('Telegram settings', { exact: true }).click();
    // The saved token never comes back to the page, so pairing asks for it.
    await tg.getByRole('button', { name: 'Generate QR' }).click();
    await tg.getByRole('alert').filter({ hasText: 'Type the bot token above first' }).waitFor();

    await tg.getByLabel('Bot token').fill(TOKEN);
    await tg.getByRole('button', { name: 'Generate QR' }).click();
    const qr = tg.getByRole('img', { name: 'QR code that opens the bot in Telegram' });
    await qr.waitFor();
    await expect(qr.getAttribute('src')).resolves.toMatch(/^data:image\/png;base64,/);
    const link = (await tg.getByRole('link', { name: 'Open the bot in Telegram' }).getAttribute('href'))!;
    const secret = /^https:\/\/t\.me\/paw_e2e_bot\?start=(\S+)$/.exec(link)?.[1];
    expect(secret).toBeTruthy();
    await tg.getByRole('status').filter({ hasText: 'Waiting for you to send /start' }).waitFor();
    expect(await axe(page, "document.querySelector('section.ch-card[data-channel=\"telegram\"]')"), 'Telegram card with its QR code').toEqual([]);

    telegram.push(777, `/start ${secret}`);
    await tg.getByText('Paired ✓').waitFor({ timeout: 10_000 });
    await expect(tg.getByRole('status').filter({ hasText: 'Paired' }).textContent()).resolves.toContain('777');
    await expect.poll(() => tg.getByLabel('Allowed user id').inputValue()).toBe('777');
    expect(await settings()).toMatchObject({ allowed_user_id: '777', has_telegram_bot_token: true });
    expect(await pageHolds(page, TOKEN)).toBe(false);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('the autostart switch is saved on the server and shown so after a reload', async () => {
    const { page, context, problems } = await newPage(browser);
    await openChannels(page);
    const sw = page.getByRole('switch', { name: 'Autostart Slack when the server starts' });
    await expect(sw.isChecked()).resolves.toBe(true);
    await sw.click();
    await expect.poll(async () => (await status()).slack?.autostart).toBe(false);
    expect((await settings()).channel_autostart).toMatchObject({ slack: false });
    await page.reload();
    await card(page, 'slack').waitFor();
    await expect(page.getByRole('switch', { name: 'Autostart Slack when the server starts' }).isChecked()).resolves.toBe(false);
    await expect(page.getByRole('switch', { name: 'Autostart Telegram when the server starts' }).isChecked()).resolves.toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('channel users’ tool profile and where reminders go are saved as settings', async () => {
    const { page, context, problems } = await newPage(browser);
    await openChannels(page);
    await expect(page.getByRole('radio', { name: 'Minimal (recommended)' }).isChecked()).resolves.toBe(true);
    await page.getByRole('radio', { name: 'Coding' }).check();
    await page.getByLabel('Where reminders and scheduled results go').selectOption('__custom');
    await page.getByLabel('Chat to send them to').fill('not a chat');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: '<channel>:<chat id>' }).waitFor();
    await page.getByLabel('Chat to send them to').fill('discord:123456789012345678');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await settings()).notify_channel).toBe('discord:123456789012345678');
    expect((await settings()).channel_tool_profile).toBe('coding');

    await page.reload();
    await card(page, 'telegram').waitFor();
    await expect(page.getByRole('radio', { name: 'Coding' }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Chat to send them to').inputValue()).resolves.toBe('discord:123456789012345678');
    await page.getByLabel('Where reminders and scheduled results go').selectOption('telegram');
    await page.getByRole('radio', { name: 'Minimal (recommended)' }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await settings()).notify_channel).toBe('telegram');
    expect((await settings()).channel_tool_profile).toBe('minimal');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('the sidebar marks a Telegram conversation with a Telegram badge, and dashboard chats with none', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const badge = row(page, 'telegram_4242').locator('.chip[data-channel="telegram"]');
    await expect(badge.textContent()).resolves.toBe('Telegram');
    await expect(page.getByRole('link', { name: /Sent from my phone.*Telegram/ }).count()).resolves.toBe(1);
    await expect(row(page, 'websocket_d1').locator('.chip').count()).resolves.toBe(0);
    await row(page, 'telegram_4242').click();
    await page.getByText('This conversation came in over Telegram').waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('passes axe in light and dark, and at phone width with nothing wider than the screen', async () => {
    for (const phone of [false, true]) {
      const { page, context, problems } = await newPage(browser, { ...AXE_CONTEXT, ...(phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {}) });
      await openChannels(page);
      // Every disclosure open: the forms and the advanced fields are checked too; and a refusal on screen.
      await page.evaluate(() => document.querySelectorAll('main.panel-view details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
      await page.getByRole('button', { name: 'Start Discord' }).click();
      await card(page, 'discord').getByRole('alert').filter({ hasText: 'allow list' }).waitFor();
      for (const scheme of phone ? (['dark'] as const) : (['light', 'dark'] as const)) {
        await page.emulateMedia({ colorScheme: scheme });
        // Colours change through CSS transitions: axe reads them once those have run.
        await page.waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSTransition)));
        const label = `${phone ? 'phone' : 'desktop'}, ${scheme}`;
        expect(await axe(page, "document.querySelector('main.panel-view')"), `channels (${label})`).toEqual([]);
        if (!phone) expect(await axe(page, "document.getElementById('sidebar')"), `sidebar with a channel badge (${label})`).toEqual([]);
        await screenshot(page, `panel-channels-${phone ? 'phone' : 'desktop'}-${scheme}`);
      }
      if (phone) await expect(page.evaluate(() => document.querySelector('.panel-body')!.scrollWidth <= window.innerWidth)).resolves.toBe(true);
      expect(problems.errors).toEqual([]);
      await context.close();
    }
  });
});
