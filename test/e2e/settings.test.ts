import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { lastAnswer, openApp, rewriteFrames, send } from './support.js';

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  // No model at all: no keys, and nothing answers where Ollama would be.
  s = await startTestServer({ mode: 'dashboard', env: { POCKETPAW_OLLAMA_HOST: 'http://127.0.0.1:9', POCKETPAW_LLM_MAX_RETRIES: '0' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const settingsDialog = (page: Page) => page.getByRole('dialog', { name: 'Settings' });

async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = settingsDialog(page);
  await dialog.waitFor();
  await dialog.getByLabel('Provider').waitFor();
  return dialog;
}

async function serverSettings(): Promise<Record<string, unknown>> {
  return (await s.get('/api/v1/settings')).body;
}

describe('first run and settings', () => {
  it('with no model, a welcome screen explains it and leads to the settings', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, s.url);
    await page.getByRole('heading', { name: 'Welcome to PocketPaw' }).waitFor();
    await screenshot(page, 'first-run');
    await page.getByRole('button', { name: 'Set up a model in Settings' }).click();
    await settingsDialog(page).waitFor();
    await page.keyboard.press('Escape');
    await settingsDialog(page).waitFor({ state: 'detached' });
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a message sent without a model gets the setup hint inline, with a way to the settings', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, s.url);
    await send(page, 'Hello there');
    const hint = lastAnswer(page).locator('.callout-setup');
    await hint.waitFor();
    await expect(hint.textContent()).resolves.toContain('No AI model is configured yet');
    await hint.getByRole('button', { name: 'Open settings' }).click();
    await settingsDialog(page).waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('the setup card follows the frame\'s notice field, not its wording; without the field it is a plain notice', async () => {
    const { page, context, problems } = await newPage(browser);
    // First the server's no_model notice reworded, then as PocketPaw sends it: the same text, no field.
    let stripNotice = false;
    await rewriteFrames(page, {
      toPage: (f) => {
        if (f.type !== 'message' || f.notice !== 'no_model') return f;
        if (!stripNotice) return { ...f, content: 'Pick a model first.' };
        const { notice: _dropped, ...pocketPaw } = f;
        return pocketPaw;
      },
    });
    await openApp(page, s.url);
    await send(page, 'Hello there');
    const hint = page.locator('article.msg-assistant[data-status="done"] .callout-setup');
    await hint.waitFor();
    await expect(hint.textContent()).resolves.toContain('Pick a model first.');

    stripNotice = true;
    await send(page, 'Hello again');
    const plain = page.locator('article.msg-notice[data-status="done"]');
    await plain.waitFor();
    await expect(plain.textContent()).resolves.toContain('No AI model is configured yet');
    await expect(page.locator('.callout-setup').count()).resolves.toBe(1);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('saves provider, model and base URL', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, s.url);
    const dialog = await openSettings(page);
    await expect(dialog.getByLabel('Provider').inputValue()).resolves.toBe('auto');
    await dialog.getByLabel('Provider').selectOption('openai');
    await dialog.getByRole('textbox', { name: 'Model', exact: true }).fill('gpt-test-2');
    await dialog.getByRole('textbox', { name: 'Base URL (optional)' }).fill('http://127.0.0.1:9/v1');
    await dialog.getByRole('button', { name: 'Save model settings' }).click();
    await dialog.getByText('Saved. The next message uses it.').waitFor();
    const saved = await serverSettings();
    expect(saved).toMatchObject({ llm_provider: 'openai', openai_model: 'gpt-test-2', openai_base_url: 'http://127.0.0.1:9/v1' });
    // The provider is chosen but has no key yet: the panel says so.
    await dialog.getByText('No model is set up yet').waitFor();
    await screenshot(page, 'settings');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('API keys are write-only: a "Saved" state, never the key itself', async () => {
    const key = 'sk-test-0123456789abcdefSECRET';
    const { page, context, problems } = await newPage(browser);
    await openApp(page, s.url);
    await page.getByRole('heading', { name: 'Welcome to PocketPaw' }).waitFor();
    const dialog = await openSettings(page);
    const field = dialog.getByLabel('OpenAI API key', { exact: true });
    await expect(field.getAttribute('type')).resolves.toBe('password');
    const state = dialog.locator('#key-openai_api_key-state');
    await expect(state.textContent()).resolves.toContain('Not set');
    await field.fill(key);
    await field.press('Enter');
    await state.getByText('Saved', { exact: true }).waitFor();
    await expect(field.inputValue()).resolves.toBe('');
    await expect(field.getAttribute('placeholder')).resolves.toContain('Saved');
    expect(await page.content()).not.toContain(key);
    const saved = await serverSettings();
    expect(saved.has_openai_api_key).toBe(true);
    expect(JSON.stringify(saved)).not.toContain(key);
    await dialog.getByText('A model is set up.').waitFor();

    // Remove, then save again.
    await dialog.getByRole('button', { name: 'Remove the OpenAI API key' }).click();
    await state.getByText('Not set').waitFor();
    expect((await serverSettings()).has_openai_api_key).toBe(false);
    await field.fill(key);
    await dialog.getByRole('button', { name: 'Save the OpenAI API key' }).click();
    await state.getByText('Saved', { exact: true }).waitFor();

    // Configured now: the welcome screen gives way to the chat.
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'What can I help with?' }).waitFor();
    // The model is unreachable (port 9): the failure shows inline with what to do next.
    await send(page, 'Are you there?');
    const callout = lastAnswer(page).locator('.callout-error');
    await callout.waitFor();
    await expect(callout.textContent()).resolves.toMatch(/Could not reach OpenAI at /);
    await callout.getByRole('button', { name: 'Open settings' }).waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('turns model-written titles off and on', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, s.url);
    const dialog = await openSettings(page);
    const toggle = dialog.getByRole('switch', { name: 'Name conversations with the model' });
    await expect(toggle.isChecked()).resolves.toBe(true);
    await toggle.click();
    await dialog.getByText('Saved.', { exact: true }).waitFor();
    expect((await serverSettings()).auto_title_llm).toBe(false);
    await toggle.click();
    await page.waitForFunction(() => (document.getElementById('set-titles') as HTMLInputElement).checked);
    await expect.poll(async () => (await serverSettings()).auto_title_llm).toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('shows the QR code for a phone and where to get the access token, never the token', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, s.url);
    const dialog = await openSettings(page);
    const qr = dialog.getByRole('img', { name: /QR code that signs a phone in/ });
    await qr.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.qr img');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const text = await dialog.locator('.qr-text').textContent();
    expect(text).toContain(new URL(s.url).host);
    expect(text).toContain('npx pocketpaw token');
    expect(await page.content()).not.toContain(s.token);
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
