import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot, type PageProblems } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { startTestServer } from '../helpers/server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { lastAnswer, openApp, send } from './support.js';
import { axe } from './axe.js';

let env: ChatTestEnv;
let browser: Browser;

beforeAll(async () => {
  env = await startChatServer('openai', { mode: 'dashboard' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const settingsDialog = (page: Page) => page.getByRole('dialog', { name: 'Settings' });
const powers = (page: Page) => settingsDialog(page).getByRole('form', { name: 'Agent powers' });

async function openPowers(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await settingsDialog(page).waitFor();
  const form = powers(page);
  await form.waitFor();
  // The sandbox status has been asked for (answered or not).
  await form.locator('[data-sandbox]').waitFor();
  return form;
}

async function serverSettings(): Promise<Record<string, unknown>> {
  return (await env.s.get('/api/v1/settings')).body;
}

async function putSettings(settings: Record<string, unknown>): Promise<void> {
  const res = await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings } });
  expect(res.status).toBe(200);
}

/** GET /api/v1/tools/sandbox as the test sees it: the status, or null while the route does not exist. */
async function sandboxStatus(): Promise<{ available: boolean; kind: string; reason: string; workspace: string } | null> {
  const res = await env.s.get('/api/v1/tools/sandbox');
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return res.body;
}

/** Page errors, less the browser's console lines for a sandbox route that is not there yet (404) and expected refusals. */
function errorsOf(problems: PageProblems, sandboxMissing: boolean, expected: number[] = []): string[] {
  const statuses = sandboxMissing ? [404, ...expected] : expected;
  return problems.errors.filter((e) => !statuses.some((code) => e.includes(`status of ${code} `)));
}

const DEFAULTS = {
  tool_profile: 'full', plan_mode: false, plan_mode_tools: ['shell', 'write_file', 'edit_file'], guardian_enabled: false,
  sandbox_network: 'none', sandbox_allowed_domains: [], shell_timeout_seconds: 60,
};

describe('agent powers in the settings', () => {
  it('shows the current powers, saves profile, plan mode and network policy, and shows them after a reload', async () => {
    await putSettings(DEFAULTS);
    const sandbox = await sandboxStatus();
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    let form = await openPowers(page);

    // What is saved now.
    await expect(form.getByRole('radio', { name: 'Full' }).isChecked()).resolves.toBe(true);
    await expect(form.getByRole('radio', { name: 'Coding' }).isChecked()).resolves.toBe(false);
    const plan = form.getByRole('switch', { name: /Plan mode/ });
    await expect(plan.isChecked()).resolves.toBe(false);
    for (const tool of ['shell', 'write_file', 'edit_file']) {
      await expect(form.getByRole('checkbox', { name: new RegExp(`^${tool}\\b`) }).isChecked()).resolves.toBe(true);
    }
    await expect(form.getByRole('checkbox', { name: /^read_file\b/ }).isChecked()).resolves.toBe(false);
    await expect(form.getByRole('switch', { name: 'Guardian checks shell commands' }).isChecked()).resolves.toBe(false);
    await expect(form.getByLabel('Network').inputValue()).resolves.toBe('none');
    // Each profile says what it allows.
    await expect(form.getByRole('radio', { name: 'Minimal' }).getAttribute('aria-describedby')).resolves.toBeTruthy();
    await expect(form.textContent()).resolves.toContain('No files, no shell, no web.');

    // The sandbox: its kind, or why there is none, or that the server cannot say.
    const state = form.locator('[data-sandbox]');
    if (sandbox === null) {
      await expect(state.textContent()).resolves.toContain('Sandbox status unavailable');
    } else if (sandbox.available) {
      await expect(state.textContent()).resolves.toContain(sandbox.kind);
      await expect(state.textContent()).resolves.toContain(sandbox.workspace);
    } else {
      await expect(state.textContent()).resolves.toContain(sandbox.reason);
      await expect(state.textContent()).resolves.toContain('Not sandboxed');
    }

    // Change them: profile by keyboard (arrow keys move within the radio group), plan mode with Space.
    await form.getByRole('radio', { name: 'Full' }).focus();
    await page.keyboard.press('ArrowUp');
    await expect(form.getByRole('radio', { name: 'Coding' }).isChecked()).resolves.toBe(true);
    await plan.focus();
    await page.keyboard.press('Space');
    await expect(plan.isChecked()).resolves.toBe(true);
    await form.getByRole('checkbox', { name: /^read_file\b/ }).check();
    await expect(form.getByRole('textbox', { name: 'Allowed hosts' }).count()).resolves.toBe(0);
    await form.getByLabel('Network').selectOption('allowlist');
    const hosts = form.getByRole('textbox', { name: 'Allowed hosts' });
    await hosts.fill('pypi.org\n*.example.com\n\npypi.org');
    await screenshot(page, 'settings-powers');
    await form.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'settings-powers-top');
    await form.getByRole('button', { name: 'Save agent powers' }).click();
    await form.getByText('Saved. The next message uses it.').waitFor();

    const saved = await serverSettings();
    expect(saved).toMatchObject({
      tool_profile: 'coding', plan_mode: true, guardian_enabled: false,
      sandbox_network: 'allowlist', sandbox_allowed_domains: ['pypi.org', '*.example.com'],
    });
    expect([...(saved.plan_mode_tools as string[])].sort()).toEqual(['edit_file', 'read_file', 'shell', 'write_file']);
    if (sandbox) expect(await sandboxStatus()).toMatchObject({ network: 'allowlist', allowed_domains: ['pypi.org', '*.example.com'] });

    // After a reload, the saved values are what is shown.
    await page.reload();
    await page.locator('.layout[data-auth="ok"]').waitFor();
    form = await openPowers(page);
    await expect(form.getByRole('radio', { name: 'Coding' }).isChecked()).resolves.toBe(true);
    await expect(form.getByRole('switch', { name: /Plan mode/ }).isChecked()).resolves.toBe(true);
    await expect(form.getByRole('checkbox', { name: /^read_file\b/ }).isChecked()).resolves.toBe(true);
    await expect(form.getByLabel('Network').inputValue()).resolves.toBe('allowlist');
    await expect(form.getByRole('textbox', { name: 'Allowed hosts' }).inputValue()).resolves.toBe('pypi.org\n*.example.com');
    expect(errorsOf(problems, sandbox === null)).toEqual([]);
    await context.close();
  });

  it('a value the server refuses shows its reason inline and changes nothing', async () => {
    await putSettings(DEFAULTS);
    const sandbox = await sandboxStatus();
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const form = await openPowers(page);
    await form.getByRole('radio', { name: 'Minimal' }).check();
    await form.getByRole('textbox', { name: 'Time limit (seconds)' }).fill('99999');
    await form.getByRole('button', { name: 'Save agent powers' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    // The server's 400 detail, with the field's label instead of its setting name.
    await expect(alert.textContent()).resolves.toMatch(/^Time limit: .*3600/);
    await expect(form.locator('.save-state').textContent()).resolves.toBe('');
    // The whole update was refused: the profile did not change either, and the form keeps the edit.
    const saved = await serverSettings();
    expect(saved).toMatchObject({ tool_profile: 'full', shell_timeout_seconds: 60 });
    await expect(form.getByRole('radio', { name: 'Minimal' }).isChecked()).resolves.toBe(true);

    // Fixed, it saves.
    await form.getByRole('textbox', { name: 'Time limit (seconds)' }).fill('120');
    await form.getByRole('button', { name: 'Save agent powers' }).click();
    await form.getByText('Saved. The next message uses it.').waitFor();
    await expect(form.getByRole('alert').count()).resolves.toBe(0);
    expect(await serverSettings()).toMatchObject({ tool_profile: 'minimal', shell_timeout_seconds: 120 });
    // The refused PUT is the one console line the browser writes (400).
    expect(errorsOf(problems, sandbox === null, [400])).toEqual([]);
    await context.close();
  });

  it('without a sandbox, says why and that every shell command asks first', async () => {
    const bare = await startTestServer({ mode: 'dashboard', env: { POCKETPAW_SANDBOX: 'off' } });
    try {
      const res = await bare.get('/api/v1/tools/sandbox');
      const { page, context, problems } = await newPage(browser);
      await openApp(page, bare.url);
      const form = await openPowers(page);
      const state = form.locator('[data-sandbox]');
      if (res.status === 404) {
        await expect(state.textContent()).resolves.toContain('Sandbox status unavailable');
      } else {
        expect(res.body).toMatchObject({ available: false, kind: 'none' });
        await expect(state.getAttribute('data-sandbox')).resolves.toBe('none');
        const text = await state.textContent();
        expect(text).toContain('Not sandboxed');
        expect(text).toContain(res.body.reason);
        expect(text).toContain('Every shell command asks for your approval');
        expect(text).toContain(res.body.workspace);
      }
      expect(errorsOf(problems, res.status === 404)).toEqual([]);
      await context.close();
    } finally {
      await bare.close();
    }
  });

  it('fits a phone-sized screen in dark mode and passes axe', async () => {
    await putSettings({ ...DEFAULTS, sandbox_network: 'allowlist', sandbox_allowed_domains: ['a-very-long-host-name.with-many-parts.subdomain.example.com'] });
    const sandbox = await sandboxStatus();
    const { page, context, problems } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark', bypassCSP: true });
    await openApp(page, env.s.url);
    await page.getByRole('button', { name: 'Show conversations' }).click();
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().left >= 0);
    const form = await openPowers(page);
    await form.getByRole('button', { name: 'Save agent powers' }).scrollIntoViewIfNeeded();
    // Nothing in the section is wider than the dialog.
    const overflow = await page.locator('.modal-settings .modal-body').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'settings-powers-phone-dark');
    const violations = await axe(page, "document.querySelector('form.powers')");
    expect(violations).toEqual([]);
    expect(errorsOf(problems, sandbox === null)).toEqual([]);
    await context.close();
  });
});

describe('tool steps in the chat', () => {
  it('a collapsed shell step shows the command itself; a long one is cut with an ellipsis and shown whole when opened', async () => {
    await putSettings({ ...DEFAULTS, plan_mode: false });
    const long = `echo ${'long-argument-'.repeat(40)}end`;
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    env.fake.enqueue(
      toolCallReply('shell', { command: 'echo hello-from-step' }),
      toolCallReply('shell', { command: long }),
      toolCallReply('read_file', { path: 'notes/todo.txt' }),
      textReply('All done.'),
    );
    await send(page, 'Say hello from a shell');
    const answer = lastAnswer(page);

    // A shell command may wait for approval (no sandbox on this machine): approve whatever is held.
    const done = answer.and(page.locator('[data-status="done"]'));
    for (;;) {
      const approve = page.getByRole('group', { name: /PocketPaw wants to run/ }).getByRole('button', { name: /^Approve/ });
      const which = await Promise.race([
        done.waitFor({ timeout: 30_000 }).then(() => 'done' as const),
        approve.waitFor({ timeout: 30_000 }).then(() => 'plan' as const),
      ]);
      if (which === 'done') break;
      await approve.click();
      await page.locator('[data-plan-status="approved"]').waitFor();
    }

    const steps = answer.locator('details.tool');
    await expect(steps.count()).resolves.toBe(3);
    const first = steps.nth(0);
    await expect(first.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    await expect(first.locator('.tool-name').textContent()).resolves.toBe('shell');
    const arg = first.locator('summary .tool-arg');
    await expect(arg.isVisible()).resolves.toBe(true);
    await expect(arg.textContent()).resolves.toBe('echo hello-from-step');
    await expect(arg.evaluate((el) => getComputedStyle(el).fontFamily)).resolves.toMatch(/mono/i);
    await expect(first.locator('summary').textContent()).resolves.toContain('echo hello-from-step');

    // The long command: one line, cut with an ellipsis; opened, the whole command.
    const second = steps.nth(1);
    const longArg = second.locator('summary .tool-arg');
    const cut = await longArg.evaluate((el) => ({ ellipsis: getComputedStyle(el).textOverflow, clipped: el.scrollWidth > el.clientWidth, height: el.getBoundingClientRect().height }));
    expect(cut).toMatchObject({ ellipsis: 'ellipsis', clipped: true });
    expect(cut.height).toBeLessThan(30);
    await second.locator('summary').click();
    await second.locator('.tool-body').waitFor();
    await expect(second.locator('.tool-label').first().textContent()).resolves.toBe('Command');
    await expect(second.locator('.tool-body pre').first().textContent()).resolves.toBe(long);

    // A file tool shows its path.
    await expect(steps.nth(2).locator('summary .tool-arg').textContent()).resolves.toBe('notes/todo.txt');
    await answer.getByText('All done.').waitFor();
    await screenshot(page, 'chat-shell-step');
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
