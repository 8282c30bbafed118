import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { startStreamableServer, type HttpMcpServer } from '../helpers/mcp/http-servers.js';
import { injectFrames, lastAnswer, openApp, send } from './support.js';
import { axe } from './axe.js';

let env: ChatTestEnv;
let browser: Browser;
let mcp: HttpMcpServer;

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  mcp = await startStreamableServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await mcp?.close();
  await env?.close();
});

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Settings' });

async function openMcp(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await dialog(page).getByRole('tab', { name: 'MCP servers' }).click();
  const panel = dialog(page).getByRole('tabpanel', { name: 'MCP servers' });
  await panel.waitFor();
  return panel;
}

async function status(): Promise<Record<string, { connected: boolean; enabled: boolean; tool_count: number; tools?: unknown[] }>> {
  const res = await env.s.get('/api/v1/mcp/status');
  expect(res.status).toBe(200);
  return res.body;
}

describe('MCP servers in the settings', () => {
  it('adds a Streamable HTTP server (tested first), shows it connected with its tools, runs one as a badged step, toggles it, and removes it after confirming', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    let panel = await openMcp(page);
    await panel.getByText('No MCP servers yet').waitFor();

    // The server's refusal shows under the field it is about.
    await panel.getByRole('button', { name: 'Add a server' }).click();
    const form = panel.getByRole('form', { name: 'Add an MCP server' });
    await form.getByRole('button', { name: 'Add server' }).click();
    const name = form.getByRole('textbox', { name: 'Name' });
    await form.getByRole('alert').waitFor();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/name/i);
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');

    await name.fill('files');
    await form.getByLabel('Transport').selectOption('streamable-http');
    await form.getByRole('textbox', { name: 'URL' }).fill(mcp.url);
    await form.getByRole('button', { name: 'Add a variable' }).click();
    await form.getByRole('textbox', { name: 'Variable 1 name' }).fill('E2E_FLAG');
    await expect(form.getByLabel('Variable 1 value').getAttribute('type')).resolves.toBe('password');
    await form.getByLabel('Variable 1 value').fill('on');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const tested = form.locator('[data-test-result]');
    await tested.waitFor();
    await expect(tested.getAttribute('data-test-result')).resolves.toBe('ok');
    await expect(tested.textContent()).resolves.toContain('2 tools');
    await expect(tested.getByRole('list', { name: 'Tools the test found' }).textContent()).resolves.toContain('Upper-cases the text');
    expect(await status()).toEqual({}); // a test saves nothing

    await form.getByRole('button', { name: 'Add server' }).click();
    const row = panel.locator('li.mcp-server[data-server="files"]');
    await row.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 20_000 });
    await expect(row.textContent()).resolves.toMatch(/Connected.*Streamable HTTP.*2 tools/);
    const saved = await status();
    expect(saved.files).toMatchObject({ connected: true, enabled: true, tool_count: 2 });
    if (saved.files!.tools) {
      await row.locator('summary', { hasText: '2 tools' }).click();
      await expect(row.getByRole('list', { name: 'Tools of files' }).textContent()).resolves.toContain('shout');
    }
    await screenshot(page, 'settings-mcp-connected');

    // Its tool in a chat: a step like a built-in one, with the server as a badge.
    await page.keyboard.press('Escape');
    env.fake.enqueue(toolCallReply('mcp__files__shout', { text: 'hi' }), textReply('Shouted.'));
    await send(page, 'Shout hi');
    const answer = lastAnswer(page);
    const done = answer.and(page.locator('[data-status="done"]'));
    for (;;) {
      const approve = page.getByRole('group', { name: /PocketPaw wants to run/ }).getByRole('button', { name: /^Approve/ });
      const which = await Promise.race([done.waitFor({ timeout: 30_000 }).then(() => 'done' as const), approve.waitFor({ timeout: 30_000 }).then(() => 'plan' as const)]);
      if (which === 'done') break;
      await approve.click();
    }
    const step = answer.locator('details.tool').first();
    await expect(step.locator('.tool-server').textContent()).resolves.toBe('files');
    await expect(step.locator('.tool-name').textContent()).resolves.toBe('shout');
    await expect(step.locator('summary').textContent()).resolves.toContain('files · shout');
    await step.locator('summary').click();
    await expect(step.locator('.tool-body').textContent()).resolves.toContain('streamable: HI');
    await screenshot(page, 'chat-mcp-step');

    // Off, then on again.
    panel = await openMcp(page);
    await row.getByRole('switch', { name: 'Use files' }).click();
    await row.and(page.locator('[data-state="disabled"]')).waitFor();
    expect((await status()).files).toMatchObject({ enabled: false, connected: false });
    await row.getByRole('switch', { name: 'Use files' }).click();
    await row.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 20_000 });

    // Removal asks first; Cancel keeps it.
    await row.getByRole('button', { name: 'Remove files' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove files?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(Object.keys(await status())).toEqual(['files']);
    await row.getByRole('button', { name: 'Remove files' }).click();
    await confirm.getByRole('button', { name: 'Remove server' }).click();
    await panel.getByText('No MCP servers yet').waitFor();
    expect(await status()).toEqual({});
    expect(problems.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    await context.close();
  });

  it('presets: search and category, labelled key fields (secrets masked), the npm-registry note, and a refusal shown on the card', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const panel = await openMcp(page);
    const list = panel.getByRole('list', { name: 'MCP presets' });
    await list.locator('li.preset').first().waitFor();
    const total = await list.locator('li.preset').count();
    expect(total).toBeGreaterThan(10);

    await panel.getByRole('searchbox', { name: 'Search presets' }).fill('slack');
    await expect(list.locator('li.preset').count()).resolves.toBe(1);
    const slack = list.locator('li.preset[data-preset="slack"]');
    // Before installing, it says it needs the npm registry.
    const note = slack.locator('.preset-note');
    await expect(note.getAttribute('data-network')).resolves.toBe('npm');
    await expect(note.textContent()).resolves.toMatch(/Needs network access to the npm registry.*registry\.npmjs\.org/);

    await panel.getByRole('searchbox', { name: 'Search presets' }).fill('');
    await panel.getByLabel('Category').selectOption('devops');
    const devops = await list.locator('li.preset').count();
    expect(devops).toBeGreaterThan(0);
    expect(devops).toBeLessThan(total);
    await panel.getByLabel('Category').selectOption('');

    await panel.getByRole('searchbox', { name: 'Search presets' }).fill('slack');
    await slack.getByRole('button', { name: 'Set up Slack' }).click();
    const setup = slack.getByRole('form', { name: 'Set up Slack' });
    await expect(setup.getByLabel('Bot Token').getAttribute('type')).resolves.toBe('password');
    await expect(setup.getByLabel('Team ID').count()).resolves.toBe(1);
    await setup.getByRole('button', { name: 'Install Slack' }).click();
    await expect(slack.getByRole('alert').textContent()).resolves.toContain('Missing required env vars: SLACK_BOT_TOKEN, SLACK_TEAM_ID');
    expect(await status()).toEqual({});
    await screenshot(page, 'settings-mcp-presets');
    expect(problems.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    await context.close();
  });

  it('an OAuth redirect shows a prompt naming the host; the link opens in a new tab only when clicked', async () => {
    const { page, context, problems } = await newPage(browser);
    const push = await injectFrames(page);
    await context.route('https://auth.example.com/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>Sign in</title>' }));
    await openApp(page, env.s.url);
    const before = page.url();

    // Anything but http(s) is no link at all.
    push({ type: 'mcp_oauth_redirect', url: 'javascript:alert(1)', server: 'evil' });
    push({ type: 'mcp_oauth_redirect', url: 'https://auth.example.com/authorize?client_id=pp&state=s1', server: 'notion' });
    const prompt = page.getByRole('region', { name: 'Sign in to notion' });
    await prompt.waitFor();
    await expect(page.locator('[data-oauth-server="evil"]').count()).resolves.toBe(0);
    await expect(prompt.textContent()).resolves.toContain('auth.example.com');
    expect(page.url()).toBe(before);
    await screenshot(page, 'mcp-oauth-prompt');

    const [tab] = await Promise.all([context.waitForEvent('page'), prompt.getByRole('button', { name: /Sign in to notion at auth\.example\.com/ }).click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe('https://auth.example.com/authorize?client_id=pp&state=s1');
    expect(page.url()).toBe(before);
    await prompt.waitFor({ state: 'detached' });

    // With the settings open on the MCP tab, the prompt is inside the panel too.
    const panel = await openMcp(page);
    push({ type: 'mcp_oauth_redirect', url: 'https://login.example.org/oauth', server: 'linear' });
    await panel.locator('[data-oauth-server="linear"]').getByRole('button', { name: /login\.example\.org/ }).waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('fits a phone in dark mode with a failing server and passes axe', async () => {
    const add = await env.s.post('/api/v1/mcp/add', { name: 'broken', transport: 'streamable-http', url: 'http://127.0.0.1:9/mcp' });
    expect(add.status).toBe(200);
    try {
      const { page, context, problems } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark', bypassCSP: true });
      await openApp(page, env.s.url);
      await page.getByRole('button', { name: 'Show conversations' }).click();
      await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().left >= 0);
      const panel = await openMcp(page);
      const row = panel.locator('li.mcp-server[data-server="broken"]');
      await row.and(page.locator('[data-state="error"]')).waitFor({ timeout: 30_000 });
      await expect(row.locator('.mcp-error').textContent()).resolves.not.toBe('');
      await panel.getByRole('button', { name: 'Add a server' }).click();
      const overflow = await page.locator('.modal-settings .modal-body').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'settings-mcp-phone-dark');
      expect(await axe(page, "document.querySelector('.modal-settings')")).toEqual([]);
      // The switch of a server that is on but failing turns it off (a plain toggle would restart it).
      await row.getByRole('switch', { name: 'Use broken' }).click();
      await row.and(page.locator('[data-state="disabled"]')).waitFor();
      const status = await env.s.get('/api/v1/mcp/status');
      expect((status.body as Record<string, { enabled: boolean }>).broken!.enabled).toBe(false);
      expect(problems.errors).toEqual([]);
      await context.close();
    } finally {
      await env.s.post('/api/v1/mcp/remove', { name: 'broken' });
    }
  });
});
