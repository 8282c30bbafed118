import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { lastAnswer, openApp, rewriteFrames, send } from './support.js';

let env: ChatTestEnv;
let browser: Browser;

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard', env: { POCKETPAW_PLAN_MODE: 'true' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const planCard = (page: import('playwright-core').Page) => page.getByRole('group', { name: /PocketPaw wants to run/ });

describe('plan mode in the browser', () => {
  it('shows the held tool call with its arguments; Approve runs it and the answer streams in', async () => {
    const { context, page, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const file = path.join(`${env.s.home}-workspace`, 'a.txt');
    env.fake.enqueue(toolCallReply('write_file', { path: 'a.txt', content: '<b>hi</b>' }), textReply('Done.'));
    await send(page, 'Write a.txt please');

    const card = planCard(page);
    await card.waitFor({ timeout: 30_000 });
    await expect(card.locator('.tool-name').textContent()).resolves.toBe('write_file');
    await expect(card.textContent()).resolves.toContain('PocketPaw wants to run write_file');
    const args = card.getByLabel('Arguments for write_file');
    const argsText = await args.textContent();
    expect(argsText).toContain('"path": "a.txt"');
    // Arguments are text: the markup in them is shown, not rendered.
    expect(argsText).toContain('<b>hi</b>');
    await expect(card.locator('b').count()).resolves.toBe(0);
    expect(fs.existsSync(file)).toBe(false);
    await screenshot(page, 'plan-card');

    // Keyboard: focus Approve and press Enter.
    const approve = card.getByRole('button', { name: /^Approve/ });
    await approve.focus();
    await page.keyboard.press('Enter');

    await page.locator('[data-plan-status="approved"]').getByText('Approved').waitFor();
    const answer = lastAnswer(page);
    await answer.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await expect(answer.locator('.md').last().textContent()).resolves.toContain('Done.');
    expect(fs.readFileSync(file, 'utf8')).toBe('<b>hi</b>');
    // The outcome goes away after a moment.
    await page.locator('.plan').waitFor({ state: 'detached', timeout: 10_000 });
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Reject tells the model the call was refused and writes nothing', async () => {
    const { context, page, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const file = path.join(`${env.s.home}-workspace`, 'b.txt');
    env.fake.enqueue(toolCallReply('write_file', { path: 'b.txt', content: 'nope' }), textReply('Okay, I will not write it.'));
    const before = env.fake.requests.length;
    await send(page, 'Write b.txt please');

    const card = planCard(page);
    await card.waitFor({ timeout: 30_000 });
    await expect(card.getByLabel('Arguments for write_file').textContent()).resolves.toContain('b.txt');
    await card.getByRole('button', { name: /^Reject/ }).click();
    await page.locator('[data-plan-status="rejected"]').getByText('Rejected').waitFor();

    const answer = lastAnswer(page);
    await answer.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await expect(answer.locator('.md').last().textContent()).resolves.toContain('Okay, I will not write it.');

    const followUp = env.fake.requests.slice(before).at(-1)!;
    expect(JSON.stringify(followUp.body.messages)).toContain('The owner rejected this write_file call in plan mode');
    expect(fs.existsSync(file)).toBe(false);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a refused decision shows on the plan card, not as a toast, and can be tried again', async () => {
    const { context, page, problems } = await newPage(browser);
    // The first Approve names a chat with no plan: the server refuses it (an error frame naming approve_plan).
    let misdirect = true;
    await rewriteFrames(page, {
      toServer: (f) => {
        if (f.action !== 'approve_plan' || !misdirect) return f;
        misdirect = false;
        return { ...f, session_key: 'websocket:no-such-chat' };
      },
    });
    await openApp(page, env.s.url);
    const file = path.join(`${env.s.home}-workspace`, 'c.txt');
    env.fake.enqueue(toolCallReply('write_file', { path: 'c.txt', content: 'third' }), textReply('Wrote c.txt.'));
    await send(page, 'Write c.txt please');

    const card = planCard(page);
    await card.waitFor({ timeout: 30_000 });
    await card.getByRole('button', { name: /^Approve/ }).click();
    await page.locator('[data-plan-status="error"]').waitFor();
    await expect(card.locator('.plan-error').textContent()).resolves.toContain('No active plan to approve');
    await expect(page.locator('.toast').count()).resolves.toBe(0);
    expect(fs.existsSync(file)).toBe(false);

    await card.getByRole('button', { name: /^Approve/ }).click();
    const answer = lastAnswer(page);
    await answer.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await expect(answer.locator('.md').last().textContent()).resolves.toContain('Wrote c.txt.');
    expect(fs.readFileSync(file, 'utf8')).toBe('third');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});

describe('without a sandbox', () => {
  let bare: ChatTestEnv;
  beforeAll(async () => {
    bare = await startChatServer('openai', { mode: 'dashboard', env: { POCKETPAW_SANDBOX: 'off' } });
  });
  afterAll(() => bare?.close());

  it('every shell command waits for approval, and the card says why', async () => {
    const { context, page, problems } = await newPage(browser);
    await openApp(page, bare.s.url);
    bare.fake.enqueue(toolCallReply('shell', { command: 'echo unconfined' }), textReply('Ran it.'));
    await send(page, 'Run echo please');
    const card = planCard(page);
    await card.waitFor({ timeout: 30_000 });
    await expect(card.locator('.plan-reason').textContent()).resolves.toMatch(/^No sandbox is available \(.+\): shell commands need your approval$/);
    await card.getByRole('button', { name: /^Approve/ }).click();
    const answer = lastAnswer(page);
    await answer.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await expect(answer.locator('.md').last().textContent()).resolves.toContain('Ran it.');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
