import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { exchange, expectActive, lastAnswer, openApp, routeId, seed, send } from './support.js';

let env: ChatTestEnv;
let browser: Browser;

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  browser = await launchBrowser();
  await seed(env.s, {
    websocket_chatseed1: exchange('How do I water tomatoes?', 'Water them **deeply**, twice a week.', new Date(Date.now() - 3 * 3600 * 1000)),
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const MARKDOWN_REPLY = [
  '## Watering plan',
  '',
  'Tomatoes like **deep** watering. See [the guide](https://example.com/guide) or [this](javascript:window.__pwned=1).',
  '',
  '```python',
  'def water(plant):',
  '    return plant.soak(minutes=10)',
  '```',
  '',
  '| Day | Litres |',
  '|-----|--------|',
  '| Mon | 2 |',
  '| Thu | 3 |',
  '',
  'That is the whole plan, finished.',
].join('\n');

describe('chat in the browser', () => {
  it('streams the answer in as it comes, rendered as Markdown with copyable code, tables and safe links', async () => {
    const { context, page, problems } = await newPage(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.s.url });
    await openApp(page, env.s.url);
    env.fake.enqueue(textReply(MARKDOWN_REPLY, { delayMs: 40 }));

    // Record what the answer shows at every DOM change while it streams.
    await page.evaluate(() => {
      const w = window as unknown as { __seen: string[]; __stopSeen: boolean };
      w.__seen = [];
      w.__stopSeen = false;
      new MutationObserver(() => {
        const el = document.querySelector('article.msg-assistant[data-status="streaming"] .msg-body');
        if (el) {
          const text = el.textContent ?? '';
          if (text && w.__seen[w.__seen.length - 1] !== text) w.__seen.push(text);
          if (document.querySelector('button[aria-label="Stop generating"]')) w.__stopSeen = true;
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await send(page, 'Give me a watering plan');

    const answer = lastAnswer(page);
    await answer.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    const stopSeen = await page.evaluate(() => (window as unknown as { __stopSeen: boolean }).__stopSeen);
    const partial = seen.filter((t) => t.includes('Watering plan') && !t.includes('finished'));
    // Many intermediate states, each one longer than the last: the text arrived piece by piece.
    expect(partial.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < partial.length; i++) expect(partial[i]!.length).toBeGreaterThanOrEqual(partial[i - 1]!.length);
    expect(stopSeen).toBe(true);

    // Markdown: heading, table, code block with a copy button, links hardened.
    await expect(answer.locator('h2').textContent()).resolves.toBe('Watering plan');
    await expect(answer.locator('.table-wrap table tbody tr').count()).resolves.toBe(2);
    const guide = answer.locator('a', { hasText: 'the guide' });
    await expect(guide.getAttribute('href')).resolves.toBe('https://example.com/guide');
    await expect(guide.getAttribute('target')).resolves.toBe('_blank');
    await expect(guide.getAttribute('rel')).resolves.toBe('noopener noreferrer');
    await expect(answer.locator('a', { hasText: 'this' }).getAttribute('href')).resolves.toBeNull();
    await expect(answer.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
    await expect(answer.locator('.code-block .code-lang').textContent()).resolves.toBe('python');
    await answer.locator('.code-block .copy-btn').click();
    await answer.locator('.code-block .copy-btn', { hasText: 'Copied' }).waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    expect(clip).toBe('def water(plant):\n    return plant.soak(minutes=10)\n');
    await expect(answer.locator('.md').last().textContent()).resolves.toContain('That is the whole plan, finished.');

    // The new chat got its URL and its place at the top of the sidebar, highlighted.
    const id = routeId(page);
    expect(id).toMatch(/^websocket_[0-9a-f-]{36}$/);
    await expectActive(page, id!);
    await expect(page.locator('a.row-link').first().getAttribute('data-session-id')).resolves.toBe(id);
    await screenshot(page, 'chat-light');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a stop button ends a streaming answer; the partial answer stays, marked as stopped', async () => {
    const { context, page, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const before = env.fake.requests.length;
    env.fake.enqueue({ steps: [{ text: 'Partial answer ' }, { text: 'that keeps ' }, { hang: true }] });
    await send(page, 'Tell me a very long story');
    const answer = lastAnswer(page);
    await answer.getByText('Partial answer that keeps').waitFor();
    const stop = page.getByRole('button', { name: 'Stop generating' });
    await stop.click();
    await answer.and(page.locator('[data-status="stopped"]')).waitFor();
    await answer.getByText('Stopped', { exact: true }).waitFor();
    await env.fake.waitForAbort(before);
    // The composer is back to sending.
    await page.getByRole('button', { name: 'Send message' }).waitFor();
    await expect(stop.count()).resolves.toBe(0);

    // Stored with PocketPaw's interruption marker, shown as the same "Stopped" label after a reload.
    const id = routeId(page)!;
    const history = await env.s.get(`/api/v1/sessions/${id}/history`);
    expect(history.body.at(-1).content).toBe('Partial answer that keeps \n\n[Response interrupted]');
    await page.reload();
    const reloaded = lastAnswer(page);
    await reloaded.getByText('Partial answer that keeps').waitFor();
    await reloaded.getByText('Stopped', { exact: true }).waitFor();
    await expect(page.locator('.messages').textContent()).resolves.not.toContain('[Response interrupted]');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('tool calls show as compact steps that expand to their input and result', async () => {
    const { context, page, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    env.fake.enqueue(toolCallReply('current_time', { timezone: 'UTC' }), textReply('It is lunchtime in UTC.'));
    await send(page, 'What time is it in UTC?');
    const answer = lastAnswer(page);
    await answer.and(page.locator('[data-status="done"]')).waitFor();
    const step = answer.locator('details.tool');
    await expect(step.count()).resolves.toBe(1);
    await expect(step.locator('.tool-name').textContent()).resolves.toBe('current_time');
    await expect(step.locator('.tool-status').textContent()).resolves.toBe('Done');
    // Collapsed: one compact line until opened.
    await expect(step.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    await expect(step.locator('.tool-body').isVisible()).resolves.toBe(false);
    await step.locator('summary').click();
    await step.locator('.tool-body').waitFor();
    await expect(step.locator('.tool-body').textContent()).resolves.toContain('"timezone": "UTC"');
    await expect(step.locator('.tool-label').allTextContents()).resolves.toEqual(['Input', 'Result']);
    // The step comes before the text that followed it.
    await expect(answer.locator('.msg-body > *').evaluateAll((els) => els.map((e) => e.className.split(' ')[0]))).resolves.toEqual(
      expect.arrayContaining(['tool', 'md']),
    );
    await answer.getByText('It is lunchtime in UTC.').waitFor();
    await screenshot(page, 'chat-tool-step');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a failing model shows the error inline with what to do next: open settings, try again', async () => {
    const { context, page, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    env.fake.enqueue({ status: 401, errorMessage: 'Incorrect API key provided' });
    await send(page, 'Hello?');
    const answer = lastAnswer(page);
    const callout = answer.locator('.callout-error');
    await callout.waitFor();
    await expect(callout.getAttribute('role')).resolves.toBe('alert');
    const text = await callout.textContent();
    expect(text).toContain('rejected the API key');
    expect(text).toContain('Check the key in Settings');
    // The error text is shown once, in the callout, not again as answer text.
    await expect(answer.locator('.md').count()).resolves.toBe(0);
    await answer.and(page.locator('[data-status="error"]')).waitFor();

    await callout.getByRole('button', { name: 'Open settings' }).click();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Settings' }).waitFor({ state: 'detached' });

    env.fake.enqueue(textReply('Working again.'));
    await callout.getByRole('button', { name: 'Try again' }).click();
    await lastAnswer(page).getByText('Working again.').waitFor();
    expect(env.fake.requests.at(-1)!.body.messages.at(-1).content).toContain('Hello?');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('HTML and script in model output and user text are shown as text, never executed', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const evil = [
      '<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>',
      '[click me](javascript:window.__pwned=3) <a href="javascript:window.__pwned=4">raw link</a>',
      '<iframe src="javascript:window.__pwned=5"></iframe> <svg onload="window.__pwned=6"></svg>',
      '![pic](https://example.com/x.png "t") <style>body{display:none}</style>',
    ].join('\n\n');
    // Odd chunk sizes split the tags across deltas.
    env.fake.enqueue(textReply(evil, { chunkSize: 7 }));
    await send(page, '<b>bold?</b><img src=x onerror="window.__pwned=7">');
    const answer = lastAnswer(page);
    await answer.and(page.locator('[data-status="done"]')).waitFor();
    await answer.getByText('click me').click();

    await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    const messages = page.locator('.messages');
    for (const tag of ['img', 'script', 'iframe', 'svg:not([aria-hidden])', 'style', 'b']) {
      await expect(messages.locator(`.md ${tag}, .bubble ${tag}`).count(), tag).resolves.toBe(0);
    }
    await expect(messages.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
    // Shown literally instead.
    await expect(answer.textContent()).resolves.toContain('<img src=x onerror="window.__pwned=1">');
    await expect(page.locator('.msg-user .bubble').last().textContent()).resolves.toBe('<b>bold?</b><img src=x onerror="window.__pwned=7">');
    // The image became a plain link that opens in a new tab.
    await expect(answer.locator('a[href="https://example.com/x.png"]').getAttribute('rel')).resolves.toBe('noopener noreferrer');
    await expect(page.locator('body').isVisible()).resolves.toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a dropped connection comes back by itself, resuming the same session', async () => {
    const { page, context, problems } = await newPage(browser);
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await openApp(page, env.s.url, '#/session/websocket_chatseed1');
    await page.locator('.messages').getByText('twice a week').waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { __lost: boolean };
      w.__lost = false;
      new MutationObserver(() => {
        if (document.querySelector('.banner')?.textContent?.includes('Reconnecting')) w.__lost = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    const before = sockets.length;
    // The server drops every socket (a restart, a network blip).
    for (const client of env.s.server.app.websocketServer.clients) client.terminate();
    await page.waitForFunction(() => (window as unknown as { __lost: boolean }).__lost);
    await page.locator('.conn-ok').waitFor();
    await page.locator('.banner').waitFor({ state: 'detached' });
    expect(sockets.length).toBeGreaterThan(before);
    expect(sockets.at(-1)).toContain('resume_session=websocket_chatseed1');

    env.fake.enqueue(textReply('Still here.'));
    await send(page, 'Are you back?');
    await lastAnswer(page).getByText('Still here.').waitFor();
    const history = await env.s.get('/api/v1/sessions/websocket_chatseed1/history');
    expect(history.body.map((m: { content: string }) => m.content).slice(-2)).toEqual(['Are you back?', 'Still here.']);
    expect(problems.errors.filter((e) => !e.includes('WebSocket'))).toEqual([]);
    await context.close();
  });

  it('follows a dark OS theme', async () => {
    const { page, context, problems } = await newPage(browser, { colorScheme: 'dark' });
    await openApp(page, env.s.url, '#/session/websocket_chatseed1');
    await page.locator('.messages').getByText('twice a week').waitFor();
    const luminance = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number) as [number, number, number];
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const fg = await page.evaluate(() => getComputedStyle(document.body).color);
    expect(luminance(bg)).toBeLessThan(0.2);
    expect(luminance(fg)).toBeGreaterThan(0.8);
    await screenshot(page, 'chat-dark');

    const light = await newPage(browser, { colorScheme: 'light' });
    await openApp(light.page, env.s.url, '#/session/websocket_chatseed1');
    expect(luminance(await light.page.evaluate(() => getComputedStyle(document.body).backgroundColor))).toBeGreaterThan(0.9);
    await light.context.close();
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
