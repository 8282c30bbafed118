import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { openApp } from './support.js';
import { AXE_CONTEXT, axe } from './axe.js';

const PANELS = ['memory', 'reminders', 'intentions', 'identity', 'audit', 'health', 'files', 'powers', 'skills', 'mcp'] as const;

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

/**
 * axe-core (WCAG 2.1 A and AA), as test/e2e/a11y.test.ts runs it; `within` limits it to part of
 * the page (the rest is that file's business), which keeps thirty runs quick.
 */
const panel = (page: Page) => page.locator('main.panel-view');
const title = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

/** Waits until the panel's own content (not its loading line) is on screen. */
async function panelReady(page: Page, name: string): Promise<void> {
  await page.locator(`main.panel-view[data-panel="${name}"]`).waitFor();
  await page.waitForFunction(() => {
    const body = document.querySelector('.panel-inner');
    return !!body && !body.querySelector('[role="status"].pn-loading') && !/^Loading…$/.test(body.textContent?.trim() ?? '');
  });
}

// Other work in this tree may rebuild web/dist while a test runs (its assets renamed under a page
// that is loading): one retry, so such a collision is not reported as a failure of the panels.
describe('tool panels', { retry: 1 }, () => {
  it('memory: add, search and delete, on screen and through the API', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url, '#/panel/memory');
    await title(page, 'Memory').waitFor();
    await panel(page).getByText('Nothing saved yet.').waitFor();

    await page.getByLabel('Something to remember').fill('My sister’s birthday is on 12 May #family');
    await page.getByRole('button', { name: 'Save to memory' }).click();
    const item = panel(page).getByRole('list', { name: 'Memories' }).getByText('My sister’s birthday is on 12 May');
    await item.waitFor();
    const stored = (await env.s.get('/api/v1/memory/long_term')).body as { id: string; content: string; tags: string[] }[];
    expect(stored.map((m) => m.content)).toContain('My sister’s birthday is on 12 May #family');
    expect(stored[0]!.tags).toContain('family');

    await env.s.post('/api/v1/memory/long_term', { content: 'Prefers tea over coffee' });
    await page.getByLabel('Search memories').fill('birthday');
    await panel(page).getByRole('status').getByText('1 found').waitFor();
    await expect(panel(page).getByText('Prefers tea').count()).resolves.toBe(0);
    await page.getByLabel('Search memories').fill('zebra');
    await panel(page).getByText('No memory matches “zebra”').waitFor();
    await page.getByLabel('Search memories').fill('');
    await panel(page).getByText('Prefers tea over coffee').waitFor();

    await page.getByRole('button', { name: /^Delete memory “My sister/ }).click();
    await item.waitFor({ state: 'detached' });
    const after = (await env.s.get('/api/v1/memory/long_term')).body as { content: string }[];
    expect(after.map((m) => m.content)).toEqual(['Prefers tea over coffee']);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('is reached by the palette (Ctrl+Shift+P) and the Tools section; back, reload and the close button work', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    await page.getByRole('heading', { name: 'New chat' }).waitFor();
    // Opened while typing: the palette gives focus back to the message box, which the panel hides.
    await page.locator('#composer-input').focus();

    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.waitFor();
    await page.keyboard.type('remind');
    await expect(palette.getByRole('option').first().textContent()).resolves.toMatch(/^Reminders/);
    await page.keyboard.press('Enter');
    await title(page, 'Reminders').waitFor();
    expect(new URL(page.url()).hash).toBe('#/panel/reminders');
    // Keyboard users land on the panel's title (focus moves after the panel has painted).
    await page.waitForFunction(() => document.activeElement?.id === 'panel-title');

    // Every panel is in the palette; arrows choose.
    await page.keyboard.press('Control+Shift+P');
    await palette.waitFor();
    const labels = await palette.getByRole('option').allTextContents();
    for (const name of ['Memory', 'Reminders', 'Scheduled prompts', 'Identity', 'Audit log', 'Health', 'Files', 'Agent powers', 'Skills', 'MCP servers', 'New chat', 'Settings']) {
      expect(labels.some((l) => l.startsWith(name)), name).toBe(true);
    }
    await page.keyboard.type('audit');
    await page.keyboard.press('Enter');
    await title(page, 'Audit log').waitFor();

    // The sidebar's Tools section, from the keyboard.
    const tools = page.getByRole('navigation', { name: 'Tools' });
    const toggle = tools.getByRole('button', { name: 'Tools' });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await tools.getByRole('link', { name: 'Health' }).focus();
    await page.keyboard.press('Enter');
    await title(page, 'Health').waitFor();
    await expect(tools.getByRole('link', { name: 'Health' }).getAttribute('aria-current')).resolves.toBe('page');

    await page.goBack();
    await title(page, 'Audit log').waitFor();
    await page.reload();
    await page.locator('.layout[data-auth="ok"]').waitFor();
    await title(page, 'Audit log').waitFor();

    // The palette runs commands too: the theme, and a new chat (which closes the panel).
    await page.keyboard.press('Control+Shift+P');
    await palette.waitFor();
    await page.keyboard.type('theme dark');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.documentElement.getAttribute('data-theme'))).toBe('dark');

    await page.keyboard.press('Control+Shift+P');
    await palette.waitFor();
    await page.keyboard.type('new chat');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New chat' }).waitFor();
    await expect(panel(page).count()).resolves.toBe(0);

    // An unknown panel says what there is.
    await page.goto(`${env.s.url}/#/panel/nope`);
    await panel(page).getByText('There is no panel called “nope”').waitFor();
    await page.getByRole('button', { name: 'Close the panel and go back to the chat' }).click();
    await page.getByRole('heading', { name: 'New chat' }).waitFor();
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('reminders: plain words, a countdown, delete; a due one shows in every open tab', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url, '#/panel/reminders');
    await panel(page).getByText('No reminders set.').waitFor();
    const refused = () => problems.errors.filter((e) => !e.includes('status of 400 '));
    await page.getByLabel('What and when').fill('in 5 minutes call mum');
    await page.getByRole('button', { name: 'Add reminder' }).click();
    const row = panel(page).getByRole('list', { name: 'Reminders' }).locator('li').filter({ hasText: 'Call mum' });
    await row.waitFor();
    await expect(row.locator('.pn-left').textContent()).resolves.toMatch(/^in [45] min \d\d s$/);
    let listed = (await env.s.get('/api/v1/reminders')).body.reminders as { id: string; text: string }[];
    expect(listed.map((r) => r.text)).toEqual(['Call mum']);

    // Nonsense times are refused with what to type instead.
    await page.getByLabel('What and when').fill('call mum sometime');
    await page.getByRole('button', { name: 'Add reminder' }).click();
    await panel(page).getByRole('alert').getByText(/Try 'in 5 minutes'/).waitFor();

    await page.getByRole('button', { name: 'Delete reminder “Call mum”' }).click();
    await row.waitFor({ state: 'detached' });
    listed = (await env.s.get('/api/v1/reminders')).body.reminders;
    expect(listed).toEqual([]);

    // A second tab, hidden, with notifications allowed: it gets the notice and a system notification.
    const other = await context.newPage();
    await other.addInitScript(() => {
      const w = window as unknown as { __hidden: boolean; __notes: string[] };
      w.__hidden = false;
      w.__notes = [];
      Object.defineProperty(document, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible') });
      class FakeNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        constructor(title: string, opts: { body?: string }) {
          w.__notes.push(`${title}: ${opts.body ?? ''}`);
        }
      }
      (window as unknown as { Notification: unknown }).Notification = FakeNotification;
    });
    await openApp(other, env.s.url);
    await other.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
    });

    // Permission not asked yet in the first tab: the panel offers to.
    await panel(page).getByRole('button', { name: 'Allow notifications' }).waitFor();

    const res = await env.s.post('/api/v1/reminders', { message: 'in 1 second stretch your legs' });
    expect(res.status).toBe(200);
    for (const p of [page, other]) {
      await p.locator('.toast').filter({ hasText: 'Reminder: Stretch your legs' }).waitFor({ timeout: 10_000 });
    }
    // Once each, though PocketPaw's protocol sends each firing twice.
    await expect(page.locator('.toast').filter({ hasText: 'Reminder: Stretch your legs' }).count()).resolves.toBe(1);
    await expect(other.evaluate(() => (window as unknown as { __notes: string[] }).__notes)).resolves.toEqual(['PocketPaw reminder: Stretch your legs']);
    expect(refused()).toEqual([]);
    await context.close();
  });

  it('intentions: schedule with a preset or cron, run now, pause, delete', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url, '#/panel/intentions');
    await panel(page).getByText('Nothing scheduled yet.').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Morning briefing');
    await page.getByLabel('What the agent should do').fill('Say good morning.');
    await page.getByLabel('When').selectOption('custom');
    await page.getByLabel('Cron expression').fill('30 7 * * 1-5');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const row = panel(page).locator('li').filter({ hasText: 'Morning briefing' });
    await row.getByText('Cron: 30 7 * * 1-5').waitFor();
    const list = async () => (await env.s.get('/api/v1/intentions')).body.intentions as { id: string; enabled: boolean; trigger: { schedule: string }; last_run: string | null }[];
    expect((await list()).map((i) => i.trigger.schedule)).toEqual(['30 7 * * 1-5']);

    // A bad schedule: the server's reason, shown.
    await page.getByLabel('Name', { exact: true }).fill('Broken');
    await page.getByLabel('What the agent should do').fill('x');
    await page.getByLabel('Cron expression').fill('every tuesday');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await panel(page).getByRole('alert').getByText(/Invalid cron schedule/).waitFor();

    env.fake.enqueue(textReply('Good morning!'));
    await page.getByRole('button', { name: 'Run “Morning briefing” now' }).click();
    await expect.poll(async () => (await list())[0]!.last_run, { timeout: 15_000 }).not.toBeNull();
    await row.getByText('Finished').waitFor();

    await page.getByRole('switch', { name: 'Run “Morning briefing” on schedule' }).click();
    await row.getByText('Paused').waitFor();
    expect((await list())[0]!.enabled).toBe(false);

    await page.getByRole('button', { name: 'Delete “Morning briefing”' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await list()).toEqual([]);
    // The one refusal: the bad schedule (400).
    expect(problems.errors.filter((e) => !e.includes('status of 400 '))).toEqual([]);
    await context.close();
  });

  it('identity, audit (live), health and files', async () => {
    const { page, context, problems } = await newPage(browser);

    // Identity: edit one file, saved on the server, there after a reload.
    await openApp(page, env.s.url, '#/panel/identity');
    const about = page.getByLabel(/About you/);
    await about.waitFor();
    await about.fill('My name is Ada. I live in Lisbon.');
    await page.getByRole('button', { name: 'Save 1 change' }).click();
    await panel(page).getByRole('status').getByText(/Saved USER\.md/).waitFor();
    expect((await env.s.get('/api/v1/identity')).body.user_file).toBe('My name is Ada. I live in Lisbon.');
    await page.reload();
    await expect(page.getByLabel(/About you/).inputValue()).resolves.toBe('My name is Ada. I live in Lisbon.');

    // Audit: an entry written while the panel is open appears at once; filters narrow the list.
    await page.goto(`${env.s.url}/#/panel/audit`);
    await panelReady(page, 'audit');
    env.s.server.ctx.audit.write({ action: 'panel_probe', target: 'e2e-live-entry', actor: 'owner' });
    const live = panel(page).locator('li[data-action="panel_probe"]');
    await live.getByText('e2e-live-entry').waitFor();
    await page.getByLabel('Filter by text').fill('e2e-live');
    await expect(panel(page).locator('li').count()).resolves.toBe(1);
    await page.getByLabel('Filter by text').fill('');
    await page.getByLabel('Action').selectOption('panel_probe');
    await expect.poll(() => panel(page).locator('li').count()).toBe(1);
    const audit = (await env.s.get('/api/v1/audit?action=panel_probe')).body as { target: string }[];
    expect(audit.map((e) => e.target)).toEqual(['e2e-live-entry']);

    // Health: run the checks; the verdict on screen is the server's.
    await page.goto(`${env.s.url}/#/panel/health`);
    await panelReady(page, 'health');
    await page.getByRole('button', { name: 'Run checks now' }).click();
    await page.locator('.toast').getByText('Checks finished.').waitFor();
    const health = (await env.s.get('/api/health')).body as { status: string; check_count: number };
    await expect(panel(page).locator('[data-status]').getAttribute('data-status')).resolves.toBe(health.status);
    await panel(page).getByText(`${health.check_count} checks`).waitFor();
    await panel(page).getByRole('heading', { name: 'Recent errors' }).waitFor();

    // Files: into a folder and back by the breadcrumbs.
    const home = os.homedir();
    const dir = path.join(home, `panels-e2e-${process.pid}`);
    fs.mkdirSync(path.join(dir, 'inner'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'inner', 'notes.txt'), 'hello');
    await page.goto(`${env.s.url}/#/panel/files`);
    await panelReady(page, 'files');
    await page.getByRole('button', { name: `Open folder panels-e2e-${process.pid}` }).click();
    await page.getByRole('button', { name: 'Open folder inner' }).click();
    const crumbs = page.getByRole('navigation', { name: 'Folder path' });
    await crumbs.getByText('inner').waitFor();
    const listing = (await env.s.get(`/api/v1/files/browse?path=${encodeURIComponent(`~/panels-e2e-${process.pid}/inner`)}`)).body;
    expect(listing.files).toEqual([{ name: 'notes.txt', isDir: false, size: '5 B' }]);
    await panel(page).locator('li[data-name="notes.txt"]').getByText('5 B').waitFor();
    await crumbs.getByRole('button', { name: 'Home' }).click();
    await page.getByRole('button', { name: `Open folder panels-e2e-${process.pid}` }).waitFor();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('powers, skills and MCP reuse the settings panels', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url, '#/panel/powers');
    const form = page.getByRole('form', { name: 'Agent powers' });
    await form.locator('[data-sandbox]').waitFor();
    await form.getByRole('radio', { name: 'Coding' }).check();
    await form.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(async () => (await env.s.get('/api/v1/settings')).body.tool_profile).toBe('coding');
    await env.s.request('/api/v1/settings', { method: 'PUT', json: { settings: { tool_profile: 'full' } } });

    await page.goto(`${env.s.url}/#/panel/skills`);
    await title(page, 'Skills').waitFor();
    await panelReady(page, 'skills');
    await page.goto(`${env.s.url}/#/panel/mcp`);
    await title(page, 'MCP servers').waitFor();
    await panelReady(page, 'mcp');
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('every panel passes axe: light and dark on a desktop, and at phone width', async () => {
    const runs = [
      { label: 'desktop', schemes: ['light', 'dark'] as const, opts: {} },
      { label: 'phone', schemes: ['dark'] as const, opts: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
    ];
    for (const run of runs) {
      const { page, context, problems } = await newPage(browser, { ...AXE_CONTEXT, ...run.opts });
      await openApp(page, env.s.url, '#/panel/memory');
      for (const scheme of run.schemes) {
        await page.emulateMedia({ colorScheme: scheme });
        const label = `${run.label}, ${scheme}`;
        for (const name of PANELS) {
          await page.evaluate((h) => {
            location.hash = h;
          }, `#/panel/${name}`);
          await panelReady(page, name);
          expect(await axe(page, "document.querySelector('main.panel-view')"), `${name} (${label})`).toEqual([]);
          if (run.label === 'phone') {
            // Nothing wider than the screen.
            await expect(page.evaluate(() => document.querySelector('.panel-body')!.scrollWidth <= window.innerWidth)).resolves.toBe(true);
          }
        }
        if (scheme === 'dark') await screenshot(page, `panel-mcp-${run.label}`);
        await page.keyboard.press('Control+Shift+P');
        await page.getByRole('dialog', { name: 'Command palette' }).waitFor();
        expect(await axe(page), `palette over a panel (${label})`).toEqual([]);
        await page.keyboard.press('Escape');
      }
      if (run.label === 'phone') {
        await page.getByRole('button', { name: 'Show conversations' }).click();
        await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().left >= 0);
        expect(await axe(page), 'phone drawer with Tools').toEqual([]);
      }
      expect(problems.errors).toEqual([]);
      await context.close();
    }
  });
});
