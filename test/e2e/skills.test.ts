import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startFileServer, type FileServer } from '../skills/fixtures.js';
import { lastAnswer, openApp } from './support.js';
import { axe } from './axe.js';

let env: ChatTestEnv;
/** Stands in for the public skills index (setting skills_index_url): tests never leave this machine. */
let index: FileServer;
let browser: Browser;
let source: string;
/** The skill this file installs (into the data dir's skills/). */
const SKILL = `e2e-greet-${process.pid}`;

beforeAll(async () => {
  index = await startFileServer();
  index.set('/api/search', {
    type: 'application/json',
    body: JSON.stringify({ skills: [{ id: 'acme/tools/pdf', name: 'pdf', installs: 42, source: 'acme/tools' }], count: 1 }),
  });
  env = await startChatServer('openai', { mode: 'dashboard', config: { skills_index_url: `${index.url}/api/search` } });
  browser = await launchBrowser();
  // A skill folder on disk: the SKILL.md and a file beside it.
  source = path.join(tempDir(), SKILL);
  fs.mkdirSync(source, { recursive: true });
  fs.writeFileSync(
    path.join(source, 'SKILL.md'),
    `---\nname: ${SKILL}\ndescription: Greets someone warmly by name\nargument-hint: <name>\n---\nSay a warm hello to $ARGUMENTS, in one line.\n`,
  );
  fs.writeFileSync(path.join(source, 'phrases.md'), '- Hello\n- Good day\n');
});

afterAll(async () => {
  // Whatever the test left installed goes (through the real route).
  await env?.s.post('/api/v1/skills/remove', { name: SKILL }).catch(() => undefined);
  await browser?.close();
  await env?.close();
  await index?.close();
  if (source) fs.rmSync(path.dirname(source), { recursive: true, force: true });
});

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Settings' });

async function openSkills(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await dialog(page).getByRole('tab', { name: 'Skills' }).click();
  const panel = dialog(page).getByRole('tabpanel', { name: 'Skills' });
  await panel.getByRole('heading', { name: 'Installed skills' }).waitFor();
  return panel;
}

async function installed(): Promise<string[]> {
  const res = await env.s.get('/api/v1/skills');
  expect(res.status).toBe(200);
  return (res.body as { name: string }[]).map((s) => s.name);
}

describe('skills in the settings', () => {
  it('installs a skill folder after a preview, runs it as a chat turn, and removes it after confirming', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    let panel = await openSkills(page);
    expect(await installed()).not.toContain(SKILL);

    // Preview first: what the folder holds, and nothing installed yet.
    await panel.getByRole('textbox', { name: 'Source' }).fill(source);
    await panel.getByRole('button', { name: 'Preview', exact: true }).click();
    const preview = panel.getByRole('region', { name: 'Preview' });
    const item = preview.locator(`[data-preview-skill="${SKILL}"]`);
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('Greets someone warmly by name');
    const files = item.locator('details.skill-files');
    if (await files.count()) {
      await files.locator('summary').click();
      await expect(files.textContent()).resolves.toContain('phrases.md');
    }
    expect(await installed()).not.toContain(SKILL);
    await screenshot(page, 'settings-skills-preview');

    await preview.getByRole('button', { name: `Install ${SKILL}` }).click();
    const row = panel.locator(`li.skill[data-skill="${SKILL}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('<name>');
    expect(await installed()).toContain(SKILL);

    // Run it: the dialog closes and the chat shows the run and the model's answer.
    env.fake.enqueue(textReply('Hello, Ada! Lovely to meet you.'));
    await row.getByRole('button', { name: `Run ${SKILL}` }).click();
    await row.getByRole('textbox', { name: 'Arguments' }).fill('Ada');
    await row.getByRole('button', { name: 'Run in this chat' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    await page.locator('article.msg-user').last().getByText(`/${SKILL} Ada`).waitFor();
    await lastAnswer(page).getByText('Hello, Ada! Lovely to meet you.').waitFor();
    const [req] = await env.fake.waitForRequests(1);
    expect(JSON.stringify(req!.body)).toContain('Say a warm hello to Ada');
    await screenshot(page, 'chat-skill-run');

    // Removal asks first.
    panel = await openSkills(page);
    await row.getByRole('button', { name: `Remove ${SKILL}` }).click();
    await page.getByRole('alertdialog', { name: `Remove the skill ${SKILL}?` }).getByRole('button', { name: 'Remove skill' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await installed()).not.toContain(SKILL);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('a source the server refuses shows its reason; search answers (or says it is unavailable) without breaking the panel', async () => {
    const { page, context, problems } = await newPage(browser);
    await openApp(page, env.s.url);
    const panel = await openSkills(page);
    await panel.getByRole('textbox', { name: 'Source' }).fill('owner/repo; rm -rf /');
    await panel.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect(panel.getByRole('alert').textContent()).resolves.toMatch(/source/i);
    await expect(panel.getByRole('region', { name: 'Preview' }).count()).resolves.toBe(0);

    await panel.getByRole('searchbox', { name: 'Search skills.sh' }).fill('pdf');
    const state = panel.locator('.skill-search [role="status"]');
    await page.waitForFunction((el) => !!el && el.textContent !== '' && el.textContent !== 'Searching…', await state.elementHandle());
    // The index's hit, each with a Preview button; then the index going down is said plainly.
    await panel.getByRole('list', { name: 'Search results' }).getByRole('button', { name: /^Preview / }).first().waitFor();
    expect(index.requests.some((r) => r.startsWith('/api/search?q=pdf'))).toBe(true);
    index.set('/api/search', { status: 503, body: 'down' });
    await panel.getByRole('searchbox', { name: 'Search skills.sh' }).fill('pdfs');
    await page.waitForFunction((el) => !!el && (el.textContent ?? '').includes('Search is unavailable'), await state.elementHandle());
    expect(problems.errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    await context.close();
  });

  it('fits a phone in dark mode with a preview open and passes axe', async () => {
    const { page, context, problems } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark', bypassCSP: true });
    await openApp(page, env.s.url);
    await page.getByRole('button', { name: 'Show conversations' }).click();
    await page.waitForFunction(() => document.getElementById('sidebar')!.getBoundingClientRect().left >= 0);
    const panel = await openSkills(page);
    await panel.getByRole('textbox', { name: 'Source' }).fill(source);
    await panel.getByRole('button', { name: 'Preview', exact: true }).click();
    await panel.getByRole('region', { name: 'Preview' }).locator(`[data-preview-skill="${SKILL}"]`).waitFor();
    const overflow = await page.locator('.modal-settings .modal-body').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'settings-skills-phone-dark');
    const violations = await axe(page, "document.querySelector('.modal-settings')");
    expect(violations).toEqual([]);
    expect(await installed()).not.toContain(SKILL);
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
