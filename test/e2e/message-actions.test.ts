/**
 * Message actions in the dashboard (issue 12, spec §4.7): regenerate with versions, edit in
 * place, continue after stop, try again after a failure, what the agent did after a reload,
 * copy, and axe checks of these states. Real server, headless Chromium, a fake
 * OpenAI-compatible provider scripted per turn.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { exchange, lastAnswer, openApp, rewriteFrames, routeId, seed, send } from './support.js';
import { axe } from './axe.js';

let env: ChatTestEnv;
let browser: Browser;

beforeAll(async () => {
  env = await startChatServer('openai_compatible', { mode: 'dashboard' });
  browser = await launchBrowser();
});

// A test that fails leaves its scripted replies behind: the next one starts from a clean script.
beforeEach(() => env.fake.reset());

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

interface Stored {
  role: string;
  content: string;
  id?: string;
  versions?: { index: number; count: number; ids: string[] };
  steps?: { name: string; status: string; result: string; duration_ms?: number }[];
  reasoning?: string;
  error?: string;
  interrupted?: boolean;
}

async function history(id: string): Promise<Stored[]> {
  const res = await env.s.get(`/api/v1/sessions/${id}/history`);
  expect(res.status).toBe(200);
  return res.body as Stored[];
}

/** axe-core (WCAG 2.1 A and AA) on the page as it is now. */
const done = (page: Page) => lastAnswer(page).and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
const userBubbles = (page: Page) => page.locator('article.msg-user .bubble');
const answers = (page: Page) => page.locator('article.msg-assistant');

/** A new chat with one exchange; returns its session id. */
async function chatOnce(page: Page, question: string, answer: string): Promise<string> {
  await openApp(page, env.s.url);
  env.fake.enqueue(textReply(answer));
  await send(page, question);
  await lastAnswer(page).getByText(answer.replace(/\*\*/g, '')).waitFor();
  await done(page);
  await page.waitForFunction(() => /#\/session\//.test(location.hash));
  return routeId(page)!;
}

describe('message actions', () => {
  it('regenerate adds a version "2/2"; the arrows switch back to the first answer, which stays after a reload', async () => {
    const { context, page, problems } = await newPage(browser, { bypassCSP: true });
    const id = await chatOnce(page, 'Name a fruit', 'Apple is a fruit.');

    const answer = lastAnswer(page);
    await answer.hover();
    env.fake.enqueue(textReply('Banana is a fruit too.'));
    const before = env.fake.requests.length;
    await answer.getByRole('button', { name: 'Regenerate answer' }).click();
    await lastAnswer(page).getByText('Banana is a fruit too.').waitFor();
    await done(page);
    // The model was asked the same question again, without the first answer.
    const asked = env.fake.requests[before]!.body.messages as { role: string; content: unknown }[];
    expect(JSON.stringify(asked.at(-1)!.content)).toContain('Name a fruit');
    expect(JSON.stringify(asked)).not.toContain('Apple is a fruit.');

    // One question, one answer on screen: the new version in place of the old.
    await expect(userBubbles(page).count()).resolves.toBe(1);
    await expect(answers(page).count()).resolves.toBe(1);
    await lastAnswer(page).locator('.versions-count', { hasText: '2/2' }).waitFor();
    expect(await axe(page), 'answer with versions').toEqual([]);
    await screenshot(page, 'message-versions');

    // By keyboard: the arrow switches, and focus stays in the switcher (on the arrow still usable).
    await lastAnswer(page).getByRole('button', { name: 'Previous version' }).focus();
    await page.keyboard.press('Enter');
    await lastAnswer(page).getByText('Apple is a fruit.').waitFor();
    await lastAnswer(page).locator('.versions-count', { hasText: '1/2' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Next version');
    await expect(page.locator('.messages').textContent()).resolves.not.toContain('Banana');
    await expect(lastAnswer(page).getByRole('button', { name: 'Previous version' }).isDisabled()).resolves.toBe(true);

    // The switch is stored: the history is the active branch, and a reload shows it.
    const stored = await history(id);
    expect(stored.map((m) => m.content)).toEqual(['Name a fruit', 'Apple is a fruit.']);
    expect(stored[1]!.versions).toMatchObject({ index: 1, count: 2 });
    await page.reload();
    await page.locator('.conn-ok').waitFor();
    await lastAnswer(page).getByText('Apple is a fruit.').waitFor();
    await lastAnswer(page).locator('.versions-count', { hasText: '1/2' }).waitFor();
    await lastAnswer(page).getByRole('button', { name: 'Next version' }).click();
    await lastAnswer(page).getByText('Banana is a fruit too.').waitFor();
    await lastAnswer(page).locator('.versions-count', { hasText: '2/2' }).waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('edits a sent message in place: Esc cancels; Save & send starts a new branch; the old one stays reachable', async () => {
    const { context, page, problems } = await newPage(browser, { bypassCSP: true });
    const id = await chatOnce(page, 'Plan a trip to Rome', 'Rome: the Forum, then gelato.');
    const user = page.locator('article.msg-user').last();
    await user.hover();
    await user.getByRole('button', { name: 'Edit message' }).click();
    const box = user.getByRole('textbox', { name: 'Edit your message' });
    await expect(box.inputValue()).resolves.toBe('Plan a trip to Rome');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await axe(page), 'editing a message').toEqual([]);
    await box.fill('Something else');
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
    await expect(userBubbles(page).last().textContent()).resolves.toBe('Plan a trip to Rome');
    // Focus went back to the Edit button.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit message');

    await user.getByRole('button', { name: 'Edit message' }).click();
    await box.fill('Plan a trip to Paris');
    env.fake.enqueue(textReply('Paris: the Louvre, then croissants.'));
    await user.getByRole('button', { name: 'Save & send' }).click();
    await lastAnswer(page).getByText('Paris: the Louvre, then croissants.').waitFor();
    await done(page);
    await expect(userBubbles(page).allTextContents()).resolves.toEqual(['Plan a trip to Paris']);
    await expect(answers(page).count()).resolves.toBe(1);
    await page.locator('article.msg-user .versions-count', { hasText: '2/2' }).waitFor();

    // The REST history is the active branch as a plain list.
    const stored = await history(id);
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Plan a trip to Paris'],
      ['assistant', 'Paris: the Louvre, then croissants.'],
    ]);
    expect(stored[0]!.versions).toMatchObject({ index: 2, count: 2 });

    // The first wording and its answer are one click away.
    await page.locator('article.msg-user').getByRole('button', { name: 'Previous version' }).click();
    await userBubbles(page).getByText('Plan a trip to Rome').waitFor();
    await lastAnswer(page).getByText('Rome: the Forum, then gelato.').waitFor();
    await page.locator('article.msg-user .versions-count', { hasText: '1/2' }).waitFor();
    expect((await history(id)).map((m) => m.content)).toEqual(['Plan a trip to Rome', 'Rome: the Forum, then gelato.']);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('Continue after a stop appends to the same answer; actions wait while an answer runs', async () => {
    const { context, page, problems } = await newPage(browser, { bypassCSP: true });
    const id = await chatOnce(page, 'Say hi', 'Hi there.');
    const before = env.fake.requests.length;
    env.fake.enqueue({ steps: [{ text: 'Once upon ' }, { text: 'a time ' }, { hang: true }] });
    await send(page, 'Tell me a story');
    await lastAnswer(page).getByText('Once upon a time').waitFor();
    // While it streams, the other messages' actions are disabled (copy stays).
    const first = answers(page).first();
    await expect(first.getByRole('button', { name: 'Regenerate answer' }).isDisabled()).resolves.toBe(true);
    await expect(page.locator('article.msg-user').first().getByRole('button', { name: 'Edit message' }).isDisabled()).resolves.toBe(true);
    await expect(first.getByRole('button', { name: 'Copy answer' }).isDisabled()).resolves.toBe(false);

    await page.getByRole('button', { name: 'Stop generating' }).click();
    await lastAnswer(page).and(page.locator('[data-status="stopped"]')).waitFor();
    await env.fake.waitForAbort(before);
    const cont = lastAnswer(page).getByRole('button', { name: 'Continue' });
    await cont.waitFor();
    expect(await axe(page), 'stopped answer').toEqual([]);

    env.fake.enqueue(textReply('there was a cat.'));
    await cont.click();
    await lastAnswer(page).getByText('there was a cat.').waitFor();
    await done(page);
    await expect(answers(page).count()).resolves.toBe(2);
    await expect(userBubbles(page).count()).resolves.toBe(2);
    const text = await lastAnswer(page).locator('.md').allTextContents();
    expect(text.join('').trim()).toMatch(/^Once upon a time\s*there was a cat\.$/);
    await expect(lastAnswer(page).getByText('Stopped', { exact: true }).count()).resolves.toBe(0);

    const stored = await history(id);
    expect(stored).toHaveLength(4);
    expect(stored[3]!.content).toMatch(/^Once upon a time\s*there was a cat\.$/);
    expect(stored[3]!.interrupted).toBeFalsy();
    await page.reload();
    await lastAnswer(page).getByText('there was a cat.').waitFor();
    await expect(answers(page).count()).resolves.toBe(2);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a provider error, then Try again: one question and one answer, before and after a reload', async () => {
    const { context, page, problems } = await newPage(browser, { bypassCSP: true });
    await openApp(page, env.s.url);
    env.fake.enqueue({ status: 500, errorMessage: 'The model is overloaded' });
    await send(page, 'Are you there?');
    const callout = lastAnswer(page).locator('.callout-error');
    await callout.waitFor();
    await lastAnswer(page).and(page.locator('[data-status="error"]')).waitFor();
    await page.waitForFunction(() => /#\/session\//.test(location.hash));
    const id = routeId(page)!;

    // Stored as a failed answer: its error beside it, never as answer text.
    let stored = await history(id);
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(stored[1]!.error).toBeTruthy();
    expect(stored[1]!.content).not.toContain('[Error');

    // After a reload the error card is still there, with Try again.
    await page.reload();
    await page.locator('.conn-ok').waitFor();
    await lastAnswer(page).locator('.callout-error').waitFor();
    expect(await axe(page), 'failed answer').toEqual([]);

    env.fake.enqueue(textReply('Yes, I am here.'));
    const before = env.fake.requests.length;
    await lastAnswer(page).getByRole('button', { name: 'Try again' }).click();
    await lastAnswer(page).getByText('Yes, I am here.').waitFor();
    await done(page);
    await expect(userBubbles(page).allTextContents()).resolves.toEqual(['Are you there?']);
    await expect(answers(page).count()).resolves.toBe(1);
    await expect(page.locator('.callout-error').count()).resolves.toBe(0);
    // The model saw the question once.
    const asked = env.fake.requests[before]!.body.messages as { role: string; content: unknown }[];
    expect(asked.filter((m) => m.role === 'user' && JSON.stringify(m.content).includes('Are you there?'))).toHaveLength(1);

    stored = await history(id);
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Are you there?'],
      ['assistant', 'Yes, I am here.'],
    ]);
    expect(stored[1]!.error).toBeUndefined();
    // The failed answer was replaced, not kept as a version.
    expect(stored[1]!.versions).toBeUndefined();

    // A failure during the live turn: Try again right away, no reload.
    env.fake.enqueue({ status: 500, errorMessage: 'Overloaded again' });
    await send(page, 'And now?');
    await lastAnswer(page).locator('.callout-error').waitFor();
    env.fake.enqueue(textReply('Still here.'));
    await lastAnswer(page).getByRole('button', { name: 'Try again' }).click();
    await lastAnswer(page).getByText('Still here.').waitFor();
    await done(page);
    await expect(userBubbles(page).allTextContents()).resolves.toEqual(['Are you there?', 'And now?']);
    stored = await history(id);
    expect(stored.map((m) => m.content)).toEqual(['Are you there?', 'Yes, I am here.', 'And now?', 'Still here.']);
    expect(problems.errors.filter((e) => !e.includes('status of 500'))).toEqual([]);
    await context.close();
  });

  it('a reopened chat shows the tool steps and the reasoning of its answers', async () => {
    const { context, page, problems } = await newPage(browser, { bypassCSP: true });
    await openApp(page, env.s.url);
    env.fake.enqueue(
      { steps: [{ reasoning: 'The owner wants the time; ask the clock.' }, { toolCall: { name: 'current_time', args: { timezone: 'UTC' } } }] },
      textReply('It is lunchtime in UTC.'),
    );
    await send(page, 'What time is it in UTC?');
    await lastAnswer(page).getByText('It is lunchtime in UTC.').waitFor();
    await done(page);
    const id = routeId(page)!;
    const stored = await history(id);
    expect(stored[1]!.steps?.map((s) => [s.name, s.status])).toEqual([['current_time', 'success']]);
    expect(stored[1]!.reasoning).toContain('ask the clock');

    await page.reload();
    await page.locator('.conn-ok').waitFor();
    const answer = lastAnswer(page);
    await answer.getByText('It is lunchtime in UTC.').waitFor();
    const step = answer.locator('details.tool');
    await expect(step.count()).resolves.toBe(1);
    await expect(step.locator('.tool-name').textContent()).resolves.toBe('current_time');
    await expect(step.locator('.tool-status').textContent()).resolves.toBe('Done');
    await expect(step.locator('.tool-duration').textContent()).resolves.toMatch(/^\d+(\.\d)? (ms|s)$|min/);
    await step.locator('summary').click();
    await expect(step.locator('.tool-label').allTextContents()).resolves.toEqual(['Input', 'Result']);
    await expect(step.locator('.tool-body').textContent()).resolves.toContain('"timezone": "UTC"');

    const reasoning = answer.locator('details.thinking');
    await expect(reasoning.locator('summary').textContent()).resolves.toBe('Reasoning');
    await expect(reasoning.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    await reasoning.locator('summary').click();
    await reasoning.getByText('ask the clock').waitFor();
    // Reasoning, then the step, then the text.
    const order = await answer.locator('.msg-body > *').evaluateAll((els) => els.map((e) => e.className.split(' ')[0]));
    expect(order.indexOf('thinking')).toBeLessThan(order.indexOf('tool'));
    expect(order.indexOf('tool')).toBeLessThan(order.indexOf('md'));
    expect(await axe(page), 'reloaded tool step and reasoning').toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a refused action puts the messages back as they were and says why', async () => {
    const { context, page, problems } = await newPage(browser);
    // The server gets a message id it does not know: it refuses before anything streams.
    await rewriteFrames(page, { toServer: (f) => (f.action === 'regenerate' ? { ...f, message_id: 'no-such-message' } : f) });
    const id = await chatOnce(page, 'Name a tree', 'Oak.');
    await lastAnswer(page).getByRole('button', { name: 'Regenerate answer' }).click();
    await page.locator('.toasts').getByText(/not found/i).waitFor();
    await lastAnswer(page).getByText('Oak.').waitFor();
    await expect(answers(page).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Send message' }).waitFor();
    await expect(lastAnswer(page).getByRole('button', { name: 'Regenerate answer' }).isDisabled()).resolves.toBe(false);
    expect((await history(id)).map((m) => m.content)).toEqual(['Name a tree', 'Oak.']);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('another channel\'s chat offers copy only: nothing there can be changed from the dashboard', async () => {
    const { context, page, problems } = await newPage(browser);
    await seed(env.s, { telegram_777: exchange('Sent from my phone', 'Got it, thanks.', new Date(Date.now() - 3600_000)) });
    await openApp(page, env.s.url, '#/session/telegram_777');
    await lastAnswer(page).getByText('Got it, thanks.').waitFor();
    await expect(lastAnswer(page).getByRole('button', { name: 'Copy answer' }).count()).resolves.toBe(1);
    await expect(page.locator('article.msg-user').getByRole('button', { name: 'Copy message' }).count()).resolves.toBe(1);
    for (const name of ['Regenerate answer', 'Edit message', 'Continue', 'Try again']) {
      await expect(page.getByRole('button', { name }).count(), name).resolves.toBe(0);
    }
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('copies a whole message to the clipboard and says so', async () => {
    const { context, page, problems } = await newPage(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.s.url });
    await chatOnce(page, 'Give me a **short** list', 'One, **two**, three.');
    const answer = lastAnswer(page);
    // By keyboard: a focused action shows the row, Enter copies.
    await answer.getByRole('button', { name: 'Copy answer' }).focus();
    await expect.poll(() => answer.locator('.msg-actions').evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
    await page.keyboard.press('Enter');
    await answer.getByRole('status').getByText('Copied').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('One, **two**, three.');

    const user = page.locator('article.msg-user').last();
    await user.hover();
    await user.getByRole('button', { name: 'Copy message' }).click();
    await user.getByRole('status').getByText('Copied').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('Give me a **short** list');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('on a phone in the dark: actions always shown, reachable, and axe-clean', async () => {
    const { context, page, problems } = await newPage(browser, {
      bypassCSP: true, colorScheme: 'dark', viewport: { width: 400, height: 800 }, isMobile: true, hasTouch: true,
    });
    await chatOnce(page, 'Name a colour', 'Blue.');
    env.fake.enqueue(textReply('Green.'));
    await lastAnswer(page).getByRole('button', { name: 'Regenerate answer' }).tap();
    await lastAnswer(page).getByText('Green.').waitFor();
    await done(page);
    const actions = lastAnswer(page).locator('.msg-actions');
    // No hover on touch: the actions are visible without it.
    await expect(actions.evaluate((el) => getComputedStyle(el).opacity)).resolves.toBe('1');
    await expect(page.locator('article.msg-user .msg-actions').evaluate((el) => getComputedStyle(el).opacity)).resolves.toBe('1');
    // Nothing wider than the screen.
    await expect(page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).resolves.toBe(true);
    expect(await axe(page), 'phone, dark, versions').toEqual([]);
    await page.locator('article.msg-user').getByRole('button', { name: 'Edit message' }).tap();
    await page.getByRole('textbox', { name: 'Edit your message' }).waitFor();
    expect(await axe(page), 'phone, dark, editing').toEqual([]);
    await screenshot(page, 'message-actions-phone-dark');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
