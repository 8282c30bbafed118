import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { lastAnswer, openApp, routeId, row, send } from './support.js';
import { axe } from './axe.js';

/** Settings → Model (the list and the connection test) and the chat header's model menu (docs/api.md §4.7). */

let env: ChatTestEnv;
let browser: Browser;

beforeAll(async () => {
  // OpenAI (the fake) is the configured provider, with model gpt-test and key sk-test-openai.
  env = await startChatServer('openai', { mode: 'dashboard', env: { POCKETPAW_OLLAMA_HOST: 'http://127.0.0.1:9' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

beforeEach(async () => {
  env.fake.reset();
  env.fake.setModels({
    openai: ['gpt-test', 'gpt-test-mini', 'text-embedding-3-small', 'whisper-1'],
    anthropic: [{ id: 'claude-test-2', display_name: 'Claude Test 2' }],
  });
  env.fake.requireKey(null);
});

async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByLabel('Provider').waitFor();
  return dialog;
}

const picker = (page: Page) => page.getByRole('button', { name: /^Model for this chat/ });
const listbox = (page: Page) => page.getByRole('listbox', { name: 'Model for this chat' });

/** Opens the header's model menu and chooses the option with this name. */
async function choose(page: Page, name: string): Promise<void> {
  await picker(page).click();
  await listbox(page).getByRole('option', { name, exact: true }).click();
  await listbox(page).waitFor({ state: 'detached' });
}

async function serverSettings(): Promise<Record<string, unknown>> {
  return (await env.s.get('/api/v1/settings')).body;
}

describe('Settings → Model', () => {
  it('lists the provider’s chat models to pick from, and tests typed keys without saving them', async () => {
    const { page, context, problems } = await newPage(browser, { bypassCSP: true });
    await openApp(page, env.s.url);
    const dialog = await openSettings(page);
    const pick = dialog.getByRole('combobox', { name: 'Available models' });
    await pick.locator('option', { hasText: 'gpt-test-mini' }).waitFor({ state: 'attached' });
    const options = await pick.locator('option:not([disabled])').allTextContents();
    expect(options).toEqual(['gpt-test', 'gpt-test-mini']);
    await pick.selectOption('gpt-test-mini');
    await expect(dialog.getByRole('textbox', { name: 'Model', exact: true }).inputValue()).resolves.toBe('gpt-test-mini');

    // A wrong key typed (not saved): the test says so in plain words; the key is not shown.
    env.fake.requireKey('sk-test-openai');
    await dialog.getByLabel('OpenAI API key', { exact: true }).fill('sk-wrong-1234567890');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const result = dialog.locator('#set-model-test-result');
    await result.and(page.locator('.bad')).waitFor();
    const refused = await result.textContent();
    expect(refused).toMatch(/^OpenAI refused the key \(401\)\. Check that you copied the whole key/);
    expect(await dialog.textContent()).not.toContain('sk-wrong-1234567890');
    const asked = env.fake.listRequests.at(-1)!;
    expect(asked.headers.authorization).toBe('Bearer sk-wrong-1234567890');
    expect(await axe(page), 'settings with a failed test').toEqual([]);
    await screenshot(page, 'models-settings-test-failed');

    // Nothing typed: the saved key is tried.
    await dialog.getByLabel('OpenAI API key', { exact: true }).fill('');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await result.and(page.locator('.ok')).waitFor();
    await expect(result.textContent()).resolves.toBe('Connected to OpenAI: 2 models available.');
    expect(env.fake.listRequests.at(-1)!.headers.authorization).toBe('Bearer sk-test-openai');

    // Nothing was saved by picking or testing.
    expect((await serverSettings()).openai_model).toBe('gpt-test');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a provider that cannot be listed still takes a typed model name (phone width, dark)', async () => {
    const { page, context, problems } = await newPage(browser, { bypassCSP: true, colorScheme: 'dark', viewport: { width: 390, height: 780 } });
    await openApp(page, env.s.url);
    await page.getByRole('button', { name: 'Show conversations' }).click();
    const dialog = await openSettings(page);
    await dialog.getByLabel('Provider').selectOption('ollama');
    // Nothing answers at the saved address (port 9), nor at the typed one.
    await dialog.getByRole('textbox', { name: 'Ollama address' }).fill('http://127.0.0.1:9');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect(dialog.locator('#set-model-test-result.bad').textContent()).resolves.toBe('Ollama is not running at http://127.0.0.1:9 — start it with `ollama serve`, or fix the Ollama address.');
    await dialog.getByRole('textbox', { name: 'Model', exact: true }).fill('my-own-model');
    await expect(dialog.getByRole('textbox', { name: 'Model', exact: true }).inputValue()).resolves.toBe('my-own-model');
    // The saved address has no Ollama: the list says so, and typing still works.
    await expect(dialog.locator('.model-list-error').textContent()).resolves.toMatch(/^Could not list its models: Ollama is not running at http:\/\/127\.0\.0\.1:9 /);
    expect(await axe(page), 'settings at phone width, dark').toEqual([]);
    await screenshot(page, 'models-settings-phone-dark');
    // That list answered 502 (the browser logs it); nothing else went wrong.
    expect(problems.errors.filter((e) => !/status of 502/.test(e))).toEqual([]);
    await context.close();
  });
});

describe('the chat header’s model menu', () => {
  beforeAll(async () => {
    const res = await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings: { anthropic_api_key: 'sk-ant-test', anthropic_base_url: env.fake.anthropicBaseUrl } } });
    expect(res.status).toBe(200);
  });

  it('a new chat sends its choice with its first message: every answer, the first included, comes from that model; Default goes back', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    await expect(picker(page).getAttribute('aria-label')).resolves.toBe('Model for this chat: default, gpt-test');
    await picker(page).click();
    const list = listbox(page);
    await list.getByRole('option', { name: 'Claude Test 2' }).waitFor();
    await expect(list.getByRole('option').first().textContent()).resolves.toBe('Default (gpt-test)');
    await expect(list.getByRole('option', { selected: true }).textContent()).resolves.toBe('Default (gpt-test)');
    const groups = await list.getByRole('group').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(groups).toEqual(['Anthropic', 'OpenAI']);
    // Chat models only: the embedding and speech models of the list are left out.
    expect(await list.getByRole('group', { name: 'OpenAI' }).getByRole('option').allTextContents()).toEqual(['gpt-test', 'gpt-test-mini']);
    await list.getByRole('option', { name: 'Claude Test 2' }).click();
    await expect(picker(page).getAttribute('aria-label')).resolves.toBe('Model for this chat: anthropic:claude-test-2');

    env.fake.enqueue(textReply('First answer.'), textReply('Second answer.'), textReply('Third answer.'));
    await send(page, 'Hello');
    await lastAnswer(page).getByText('First answer.').waitFor();
    const id = routeId(page)!;
    // The first message carried the choice (chat frame `model`), so the very first answer used it.
    expect(env.fake.requests[0]!.provider).toBe('anthropic');
    expect(env.fake.requests[0]!.body.model).toBe('claude-test-2');
    // Stored with that message, and the sidebar shows it.
    await row(page, id).locator('.row-model').getByText('claude-test-2').waitFor();
    await expect.poll(async () => ((await env.s.get('/api/sessions')).body.sessions as { id: string; model?: string }[]).find((s) => s.id === id)?.model).toBe('anthropic:claude-test-2');

    await send(page, 'Again');
    await lastAnswer(page).getByText('Second answer.').waitFor();
    const second = env.fake.requests.at(-1)!;
    expect(second.provider).toBe('anthropic');
    expect(second.body.model).toBe('claude-test-2');

    // From the keyboard: open, Home (Default), Enter.
    await picker(page).focus();
    await page.keyboard.press('Enter');
    await listbox(page).waitFor();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await listbox(page).waitFor({ state: 'detached' });
    // Focus goes back to the picker (after the list's close settles: under load that is a frame later).
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-haspopup') === 'listbox', null, { timeout: 5000 });
    await row(page, id).locator('.row-model').waitFor({ state: 'detached' });
    await send(page, 'Default now');
    await lastAnswer(page).getByText('Third answer.').waitFor();
    const third = env.fake.requests.at(-1)!;
    expect(third.provider).toBe('openai');
    expect(third.body.model).toBe('gpt-test');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a stored chat changes at once, and the menu passes axe at phone width, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, context, problems } = await newPage(browser, { bypassCSP: true, colorScheme, viewport: { width: 390, height: 780 } });
      await openApp(page, env.s.url);
      env.fake.enqueue(textReply('Stored.'), textReply('From mini.'));
      await send(page, `Phone ${colorScheme}`);
      await lastAnswer(page).getByText('Stored.').waitFor();
      const menu = picker(page);
      await expect(menu.isVisible()).resolves.toBe(true);
      await menu.click();
      await listbox(page).getByRole('option', { name: 'gpt-test-mini' }).waitFor();
      expect(await axe(page), `open model menu (${colorScheme}, phone)`).toEqual([]);
      await screenshot(page, `models-menu-phone-${colorScheme}`);
      await page.keyboard.press('Escape');
      await choose(page, 'gpt-test-mini');
      const id = routeId(page)!;
      await expect.poll(async () => ((await env.s.get('/api/sessions')).body.sessions as { id: string; model?: string }[]).find((s) => s.id === id)?.model).toBe('openai:gpt-test-mini');
      await send(page, 'Which model?');
      await lastAnswer(page).getByText('From mini.').waitFor();
      expect(env.fake.requests.at(-1)!.body.model).toBe('gpt-test-mini');
      // The header still fits: the menu does not push the title out.
      const head = await page.locator('.chat-head').boundingBox();
      const box = await menu.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(head!.x + head!.width);
      expect(await axe(page), `chat header (${colorScheme}, phone)`).toEqual([]);
      await screenshot(page, `models-header-phone-${colorScheme}`);
      expect(problems.errors).toEqual([]);
      await context.close();
    }
  });
});
