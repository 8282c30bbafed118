import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { AXE_CONTEXT, axe } from './axe.js';
import { openApp } from './support.js';

let env: ChatTestEnv;
let browser: Browser;
/** Names of webhooks made by a test that may run twice (retry): never the same twice. */
let made = 0;

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

interface Listed {
  name: string;
  secret: string;
  url: string;
}

const listed = async (): Promise<Listed[]> => ((await env.s.get('/api/v1/webhooks')).body as { webhooks: Listed[] }).webhooks;
const hookCard = (page: Page, name: string) => page.locator(`li[data-webhook="${name}"]`);
const fullSecret = (page: Page, name: string) => hookCard(page, name).locator('.wh-full-secret');

/** Calls the public door as an outside program would. */
const callWith = (name: string, secret: string) =>
  env.s.post(`/webhook/inbound/${name}?wait=true`, { content: 'ping' }, { headers: { 'x-webhook-secret': secret } });

async function openWebhooks(page: Page): Promise<void> {
  await openApp(page, env.s.url, '#/panel/webhooks');
  await page.getByRole('heading', { name: 'New webhook' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('main.panel-view .pn-loading'));
}

async function add(page: Page, name: string, description = ''): Promise<string> {
  await page.getByLabel('Name', { exact: true }).fill(name);
  if (description) await page.getByLabel('What calls it (optional)').fill(description);
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await fullSecret(page, name).waitFor();
  return (await fullSecret(page, name).textContent())!.trim();
}

async function confirm(page: Page, label: string): Promise<void> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: label, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe('webhooks panel', { retry: 1 }, () => {
  it('adding shows the secret once, with copy; after a reload only the masked one is left', async () => {
    const { page, context, problems } = await newPage(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.s.url });
    await openWebhooks(page);
    await page.getByText('No webhooks yet.').waitFor();

    // A name the server would refuse is caught before it is sent.
    await page.getByLabel('Name', { exact: true }).fill('has spaces');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('alert').filter({ hasText: 'letters, digits, hyphens and underscores' }).waitFor();

    const secret = await add(page, 'ci-bot', 'Build results');
    const [hook] = await listed();
    expect(hook!.name).toBe('ci-bot');
    expect(hook!.secret).toBe(`***${secret.slice(-4)}`);
    await hookCard(page, 'ci-bot').getByText('copy it now, it will not be shown again').waitFor();
    await hookCard(page, 'ci-bot').getByText(hook!.url, { exact: true }).waitFor();
    // The example call carries the secret while it is on screen.
    await hookCard(page, 'ci-bot').getByText('Example call').click();
    await expect(hookCard(page, 'ci-bot').locator('pre').textContent()).resolves.toContain(`X-Webhook-Secret: ${secret}`);

    await page.getByRole('button', { name: 'Copy the secret of ci-bot' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    // It is the secret that works.
    expect((await callWith('ci-bot', 'wrong-secret')).status).toBe(403);

    await page.reload();
    await hookCard(page, 'ci-bot').waitFor();
    await hookCard(page, 'ci-bot').getByText(hook!.secret, { exact: true }).waitFor();
    await expect(fullSecret(page, 'ci-bot').count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(secret);
    await hookCard(page, 'ci-bot').getByText('Example call').click();
    await expect(hookCard(page, 'ci-bot').locator('pre').textContent()).resolves.toContain('X-Webhook-Secret: YOUR_SECRET');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Test, right after adding, calls the webhook with its secret and shows the agent’s answer', async () => {
    const { page, context, problems } = await newPage(browser);
    await openWebhooks(page);
    await add(page, 'home');
    const before = env.fake.requests.length;
    env.fake.enqueue(textReply('Webhook test received, all good.'));
    await page.getByRole('button', { name: 'Test home' }).click();
    await expect.poll(() => hookCard(page, 'home').locator('.wh-answer-text').textContent().catch(() => null)).toBe('Webhook test received, all good.');
    // The message reached the model through the webhook door, in a webhook session.
    expect(JSON.stringify(env.fake.requests.slice(before).map((r) => r.body))).toContain('This is a test from the PocketPaw dashboard');
    const sessions = ((await env.s.get('/api/v1/sessions')).body as { sessions?: { id: string; channel: string }[] } | { id: string; channel: string }[]);
    const list = Array.isArray(sessions) ? sessions : sessions.sessions ?? [];
    expect(list.some((s) => s.channel === 'webhook')).toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('without the secret on screen Test explains why; a new secret replaces the old one and tests fine', async () => {
    const { page, context, problems } = await newPage(browser);
    await openWebhooks(page);
    await hookCard(page, 'home').waitFor();
    await page.getByRole('button', { name: 'Test home' }).click();
    await hookCard(page, 'home').getByText('Testing needs the full secret').waitFor();

    const old = await env.s.get('/api/v1/webhooks');
    const oldMasked = (old.body as { webhooks: Listed[] }).webhooks.find((w) => w.name === 'home')!.secret;
    await hookCard(page, 'home').getByRole('button', { name: 'Make a new secret to test' }).click();
    await confirm(page, 'Make a new secret');
    await fullSecret(page, 'home').waitFor();
    const secret = (await fullSecret(page, 'home').textContent())!.trim();
    const masked = (await listed()).find((w) => w.name === 'home')!.secret;
    expect(masked).toBe(`***${secret.slice(-4)}`);
    expect(masked).not.toBe(oldMasked);

    env.fake.enqueue(textReply('New secret works.'));
    await page.getByRole('button', { name: 'Test home' }).click();
    await expect.poll(() => hookCard(page, 'home').locator('.wh-answer-text').textContent().catch(() => null)).toBe('New secret works.');

    // "Done, hide it" takes the secret off the page.
    await hookCard(page, 'home').getByRole('button', { name: 'Done, hide it' }).click();
    await expect(fullSecret(page, 'home').count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('delete asks first, then the webhook is gone and its address refuses calls', async () => {
    const { page, context, problems } = await newPage(browser);
    await openWebhooks(page);
    await page.getByRole('button', { name: 'Delete ci-bot' }).click();
    await confirm(page, 'Delete');
    await hookCard(page, 'ci-bot').waitFor({ state: 'detached' });
    expect((await listed()).map((w) => w.name)).toEqual(['home']);
    expect((await callWith('ci-bot', 'anything')).status).toBe(404);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('passes axe in light and dark, and at phone width with nothing wider than the screen', async () => {
    for (const phone of [false, true]) {
      const { page, context, problems } = await newPage(browser, { ...AXE_CONTEXT, ...(phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {}) });
      await openWebhooks(page);
      const name = `axe-${phone ? 'phone' : 'desktop'}-${made++}`;
      await add(page, name, 'Checked by axe');
      env.fake.enqueue(textReply('Fine.'));
      await page.getByRole('button', { name: `Test ${name}` }).click();
      await hookCard(page, name).locator('.wh-answer-text').waitFor();
      await page.getByRole('button', { name: 'Test home' }).click();
      await hookCard(page, 'home').getByText('Testing needs the full secret').waitFor();
      await page.evaluate(() => document.querySelectorAll('main.panel-view details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
      for (const scheme of phone ? (['dark'] as const) : (['light', 'dark'] as const)) {
        await page.emulateMedia({ colorScheme: scheme });
        // Colours change through CSS transitions: axe reads them once those have run.
        await page.waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSTransition)));
        expect(await axe(page, "document.querySelector('main.panel-view')"), `webhooks (${phone ? 'phone' : 'desktop'}, ${scheme})`).toEqual([]);
        await screenshot(page, `panel-webhooks-${phone ? 'phone' : 'desktop'}-${scheme}`);
      }
      if (phone) await expect(page.evaluate(() => document.querySelector('.panel-body')!.scrollWidth <= window.innerWidth)).resolves.toBe(true);
      expect(problems.errors).toEqual([]);
      await context.close();
    }
  });
});
