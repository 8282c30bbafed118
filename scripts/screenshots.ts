/**
 * The README's screenshots (`npm run screenshots`): a real server on a temp data dir, a fake
 * OpenAI-compatible provider scripted per answer, and headless Chromium, so every picture shows
 * what the dashboard really does. Writes docs/screenshots/*.png (1200×760, light unless named
 * dark; `phone-*` at 390×780).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startChatServer, type ChatTestEnv } from '../test/helpers/chat-server.js';
import { textReply, toolCallReply } from '../test/helpers/fake-llm/index.js';
import { launchBrowser, newPage } from '../test/helpers/browser.js';
import { lastAnswer, openApp, routeId, send } from '../test/e2e/support.js';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');
const DESKTOP = { width: 1200, height: 760 };
const PHONE = { width: 390, height: 780 };

const CODE_ANSWER = [
  'Here is a small function that totals an order:',
  '',
  '```ts',
  'export function total(items: { price: number; qty: number }[]): number {',
  '  // Cents, so the sum never drifts',
  '  return items.reduce((sum, i) => sum + Math.round(i.price * 100) * i.qty, 0) / 100;',
  '}',
  '```',
  '',
  '| Item | Price | Qty | Subtotal | Shop | Note |',
  '|---|---:|---:|---:|---|---|',
  '| Coffee beans 1 kg | 24.90 | 2 | 49.80 | Roastery | whole beans |',
  '| Oat milk | 2.35 | 6 | 14.10 | Corner shop | barista edition |',
].join('\n');

/** A 96×64 PNG (a colour gradient), so the attachment chip has a real thumbnail. */
async function samplePng(page: Page): Promise<Buffer> {
  const data = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 96;
    c.height = 64;
    const g = c.getContext('2d')!;
    const grad = g.createLinearGradient(0, 0, 96, 64);
    grad.addColorStop(0, '#f6a13a');
    grad.addColorStop(1, '#6a5acd');
    g.fillStyle = grad;
    g.fillRect(0, 0, 96, 64);
    return c.toDataURL('image/png').split(',')[1]!;
  });
  return Buffer.from(data, 'base64');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(250); // transitions settle
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  process.stderr.write(`  ${name}.png\n`);
}

async function answered(page: Page, text: string): Promise<void> {
  await lastAnswer(page).getByText(text, { exact: false }).first().waitFor();
}

async function chatScreens(browser: Browser, env: ChatTestEnv): Promise<string> {
  const { page, context } = await newPage(browser, { viewport: DESKTOP });
  await openApp(page, env.s.url);

  // A conversation with a tool step, code, a table and a regenerated answer (versions 2/2).
  env.fake.enqueue(toolCallReply('current_time', {}), textReply('It is a quarter past nine, a good time to plan the shopping.'));
  await send(page, 'What time is it?');
  await answered(page, 'quarter past nine');
  env.fake.enqueue(textReply('First draft of the function.'), textReply(CODE_ANSWER));
  await send(page, 'Write a function that totals an order, and show the basket as a table.');
  await answered(page, 'First draft');
  await lastAnswer(page).getByRole('button', { name: 'Regenerate answer' }).click();
  await answered(page, 'totals an order');
  await page.locator('.hljs-keyword').first().waitFor();
  const id = routeId(page)!;
  await lastAnswer(page).hover();
  await shot(page, 'chat-actions-versions');

  // Editing a sent message.
  const firstQuestion = page.locator('article.msg-user').first();
  await firstQuestion.hover();
  await firstQuestion.getByRole('button', { name: 'Edit message' }).click();
  await shot(page, 'chat-edit');
  await page.keyboard.press('Escape');

  // Attachments: an image in the composer, then sent.
  const png = await samplePng(page);
  await page.locator('input[type="file"]').first().setInputFiles({ name: 'basket.png', mimeType: 'image/png', buffer: png });
  await page.getByText('basket.png').first().waitFor();
  await page.getByRole('textbox', { name: 'Message PocketPaw' }).fill('What is in this picture?');
  await shot(page, 'attachments-composer');
  env.fake.enqueue(textReply('A warm orange-to-violet gradient: no basket in sight, I am afraid.'));
  await page.getByRole('textbox', { name: 'Message PocketPaw' }).press('Enter');
  await answered(page, 'gradient');
  await shot(page, 'attachments-sent');

  // The chat header's model menu.
  await page.getByRole('button', { name: /^Model for this chat/ }).click();
  await page.getByRole('listbox', { name: 'Model for this chat' }).waitFor();
  await shot(page, 'model-picker');
  await page.keyboard.press('Escape');

  // Dark theme, the same chat.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => localStorage.setItem('pocketpaw.theme', 'dark'));
  await page.reload();
  await page.locator('.layout[data-auth="ok"]').waitFor();
  await answered(page, 'gradient');
  await shot(page, 'chat-dark');
  await page.evaluate(() => localStorage.removeItem('pocketpaw.theme'));
  await page.emulateMedia({ colorScheme: 'light' });
  await context.close();
  return id;
}

async function panelScreens(browser: Browser, env: ChatTestEnv): Promise<void> {
  await env.s.post('/api/v1/memory/long_term', { content: 'Prefers oat milk in coffee #food' });
  await env.s.post('/api/v1/memory/long_term', { content: 'Works on the PocketPaw dashboard on Thursdays #work' });
  const { page, context } = await newPage(browser, { viewport: DESKTOP });
  await openApp(page, env.s.url);
  for (const name of ['memory', 'reminders', 'intentions', 'identity', 'audit', 'health', 'files', 'powers', 'skills', 'mcp']) {
    await page.goto(`${env.s.url}/#/panel/${name}`);
    await page.locator('.layout[data-auth="ok"]').waitFor();
    await page.locator(`[data-panel="${name}"]`).first().waitFor().catch(() => page.getByRole('heading', { level: 1 }).first().waitFor());
    await page.waitForLoadState('networkidle');
    if (name === 'reminders') {
      const box = page.getByRole('textbox').first();
      await box.fill('in 20 minutes take the bread out');
      await box.press('Enter');
      await page.getByText('take the bread out').first().waitFor();
    }
    await shot(page, `panel-${name}`);
  }
  await page.keyboard.press('Control+Shift+P');
  await page.getByRole('listbox', { name: 'Commands' }).waitFor();
  await shot(page, 'command-palette');
  await context.close();
}

async function phoneScreens(browser: Browser, env: ChatTestEnv, id: string): Promise<void> {
  const { page, context } = await newPage(browser, { viewport: PHONE, isMobile: true, hasTouch: true });
  await openApp(page, env.s.url, `#/session/${encodeURIComponent(id)}`);
  await answered(page, 'gradient');
  await page.locator('table').first().scrollIntoViewIfNeeded();
  await shot(page, 'phone-table');
  await context.close();
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const env = await startChatServer('openai', { mode: 'dashboard', env: { POCKETPAW_AUTO_TITLE_LLM: 'false', POCKETPAW_OLLAMA_HOST: 'http://127.0.0.1:9' } });
  const browser = await launchBrowser();
  try {
    process.stderr.write(`Writing screenshots to ${OUT}\n`);
    const id = await chatScreens(browser, env);
    await panelScreens(browser, env);
    await phoneScreens(browser, env, id);
  } finally {
    await browser.close();
    await env.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Screenshots failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
