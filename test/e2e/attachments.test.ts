/**
 * Attachments in the dashboard (issue 12, spec §4.7): pick, paste and drop files in headless
 * Chromium, upload progress, sending waits for uploads, the fake provider receives the image,
 * thumbnails after a reload, a refused file in plain words, axe at desktop and phone width,
 * light and dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { PNG } from '../media/fixtures.js';
import { lastAnswer, openApp, routeId } from './support.js';
import { axe } from './axe.js';

let env: ChatTestEnv;
let browser: Browser;

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard', env: { POCKETPAW_OPENAI_MODEL: 'gpt-4o' } });
  browser = await launchBrowser();
});
beforeEach(() => {
  env.fake.reset();
  env.s.server.ctx.settingsStore.update({ media_max_file_size_mb: 20 });
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const chips = (page: Page) => page.locator('.attach-chips .attach-chip');
const sendButton = (page: Page) => page.getByRole('button', { name: 'Send message' });

/** Pastes an image into the message box, as a screenshot paste does. */
async function pasteImage(page: Page, name: string): Promise<void> {
  await page.evaluate(([b64, n]) => {
    const bytes = Uint8Array.from(atob(b64!), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], n!, { type: 'image/png' }));
    document.getElementById('composer-input')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, [PNG.toString('base64'), name]);
}

/** Drags a text file over the page (the drop hint shows) and drops it. */
async function dropFile(page: Page, name: string, text: string): Promise<void> {
  await page.evaluate(([n, t]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t!], n!, { type: 'text/plain' }));
    document.querySelector('.messages, main')!.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    (window as unknown as { __dt: DataTransfer }).__dt = dt;
  }, [name, text]);
  await page.locator('.drop-overlay').waitFor();
  await page.evaluate(() => {
    const dt = (window as unknown as { __dt: DataTransfer }).__dt;
    document.querySelector('.messages, main')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.locator('.drop-overlay').waitFor({ state: 'detached' });
}

describe('attachments in the composer', () => {
  it('pick, paste and drop; progress while uploading; the model gets the image; thumbnails after a reload', async () => {
    const { context, page, problems } = await newPage(browser, { bypassCSP: true });
    await openApp(page, env.s.url);

    // A big file over a slow link: the chip shows the upload's progress, and sending waits.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await page.locator('[data-testid="attach-input"]').setInputFiles([
      { name: 'photo.png', mimeType: 'image/png', buffer: PNG },
      { name: 'report.bin', mimeType: 'application/octet-stream', buffer: big },
    ]);
    await expect.poll(() => chips(page).count()).toBe(2);
    const progress = page.getByRole('progressbar', { name: 'Uploading report.bin' });
    await progress.waitFor();
    await page.getByRole('textbox', { name: 'Message PocketPaw' }).fill('What is in the picture?');
    expect(await sendButton(page).isDisabled()).toBe(true);
    // Enter while uploading says why nothing happens.
    await page.getByRole('textbox', { name: 'Message PocketPaw' }).press('Enter');
    await page.getByText('Wait until the files have finished uploading.').waitFor();
    await expect.poll(() => progress.evaluate((el) => (el as HTMLProgressElement).value, undefined, { timeout: 500 }).catch(() => 100), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.locator('.attach-chip[data-status="done"]').nth(1).waitFor({ timeout: 20_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    // The chips: thumbnail for the image, name and size.
    expect(await chips(page).first().locator('img.attach-thumb').count()).toBe(1);
    await expect.poll(() => chips(page).nth(1).textContent()).toContain('3.0 MB');

    await pasteImage(page, 'screenshot.png');
    await dropFile(page, 'notes.txt', 'remember the milk');
    await expect.poll(() => page.locator('.attach-chip[data-status="done"]').count()).toBe(4);
    expect(await chips(page).allTextContents()).toEqual([
      expect.stringContaining('photo.png'), expect.stringContaining('report.bin'), expect.stringContaining('screenshot.png'), expect.stringContaining('notes.txt'),
    ]);
    // Removing one.
    await page.getByRole('button', { name: 'Remove report.bin' }).click();
    await expect.poll(() => chips(page).count()).toBe(3);
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'attachments-composer');

    env.fake.enqueue(textReply('A tiny red dot.'));
    await sendButton(page).click();
    await lastAnswer(page).and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    expect(await chips(page).count()).toBe(0);
    const [req] = await env.fake.waitForRequests(1);
    expect(JSON.stringify(req!.body)).toContain(PNG.toString('base64'));
    const user = page.locator('article.msg-user').last();
    expect(await user.locator('.msg-attachments img').count()).toBe(2);
    expect(await user.locator('.msg-attachment-file').textContent()).toContain('notes.txt');

    // After a reload the history brings the files back; the hint is not shown as text.
    const id = routeId(page)!;
    expect(id).toMatch(/^websocket_/);
    await page.reload();
    await page.locator('.layout[data-auth="ok"]').waitFor();
    const again = page.locator('article.msg-user').last();
    await again.locator('.msg-attachments img').first().waitFor();
    await expect.poll(() => again.locator('.msg-attachments img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth))).toEqual([1, 1]);
    expect(await again.locator('.bubble').textContent()).toBe('What is in the picture?');
    expect(await again.locator('.msg-attachment-file').getAttribute('href')).toMatch(/^\/api\/v1\/media\/[0-9a-f]+_[0-9a-f]{6}_notes\.txt$/);
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'attachments-history');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a file over the limit is refused in plain words and sending waits until it is removed', async () => {
    env.s.server.ctx.settingsStore.update({ media_max_file_size_mb: 0.001 });
    const { context, page } = await newPage(browser);
    await openApp(page, env.s.url);
    await page.locator('[data-testid="attach-input"]').setInputFiles([{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(5000) }]);
    const alert = page.locator('.attach-chip-error [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^huge.bin is .* MB; the limit is 0.001 MB \(setting media_max_file_size_mb\)\.$/);
    await page.getByRole('textbox', { name: 'Message PocketPaw' }).fill('hello');
    expect(await sendButton(page).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Remove huge.bin' }).click();
    expect(await sendButton(page).isDisabled()).toBe(false);
    await context.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`phone width, ${scheme}: chips fit and pass axe`, async () => {
      const { context, page, problems } = await newPage(browser, { viewport: { width: 390, height: 844 }, colorScheme: scheme, isMobile: true, hasTouch: true, bypassCSP: true });
      await openApp(page, env.s.url);
      await page.locator('[data-testid="attach-input"]').setInputFiles([
        { name: 'a-rather-long-file-name-for-a-small-screen.png', mimeType: 'image/png', buffer: PNG },
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x') },
      ]);
      await expect.poll(() => page.locator('.attach-chip[data-status="done"]').count()).toBe(2);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await axe(page)).toEqual([]);
      await screenshot(page, `attachments-phone-${scheme}`);
      expect(problems.errors).toEqual([]);
      await context.close();
    });
  }
});
