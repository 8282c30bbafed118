import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { pocketPawTime, writePocketPawDir, type FixtureMessage } from '../helpers/pocketpaw-fixture.js';

/** Imports sessions through the real import path (a PocketPaw data dir on disk). */
export async function seed(s: TestServer, sessions: Record<string, FixtureMessage[]>, userTitles: Record<string, string> = {}): Promise<void> {
  const dir = writePocketPawDir(sessions, { userTitles });
  const summary = await s.importDir(dir);
  expect(summary.failures).toEqual([]);
  expect(summary.sessionsCreated).toBe(Object.keys(sessions).length);
}

/** A two-message exchange at `at` (local time, PocketPaw's offset-less format). */
export function exchange(question: string, answer: string, at: Date): FixtureMessage[] {
  return [
    { role: 'user', content: question, timestamp: pocketPawTime(at) },
    { role: 'assistant', content: answer, timestamp: pocketPawTime(new Date(at.getTime() + 1000)) },
  ];
}

export const HOUR = 3600 * 1000;
export const DAY = 24 * HOUR;

/** Opens the dashboard and waits until it is signed in, has its first list page and a socket. */
export async function openApp(page: Page, url: string, hash = ''): Promise<void> {
  await page.goto(`${url}/${hash}`);
  await page.locator('.layout[data-auth="ok"]').waitFor();
  await page.locator('.conn-ok').waitFor();
}

/** Row link of a session in the sidebar. */
export function row(page: Page, id: string) {
  return page.locator(`a.row-link[data-session-id="${id}"]`);
}

/** The last assistant message on screen. */
export function lastAnswer(page: Page) {
  return page.locator('article.msg-assistant').last();
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message PocketPaw' });
  await box.fill(text);
  await box.press('Enter');
}

/** The session id in the URL (`#/session/<id>`), or null. */
export function routeId(page: Page): string | null {
  const m = /#\/session\/(.+)$/.exec(page.url());
  return m ? decodeURIComponent(m[1]!) : null;
}

/** Waits until this session is the highlighted (open) one in the sidebar. */
export async function expectActive(page: Page, id: string): Promise<void> {
  await page.locator(`a.row-link[data-session-id="${id}"][aria-current="page"]`).waitFor();
  expect(await page.locator('a.row-link[aria-current="page"]').count()).toBe(1);
}

type JsonFrame = Record<string, unknown>;

/**
 * Routes the page's `/ws` through to the real server, rewriting the JSON frames of either
 * direction on the way: what a client sees when a server sends other fields (PocketPaw's own
 * frames), or what a server answers to an action it cannot carry out. Call before `openApp`.
 */
export async function rewriteFrames(page: Page, rewrite: { toPage?(f: JsonFrame): JsonFrame; toServer?(f: JsonFrame): JsonFrame }): Promise<void> {
  const pass = (edit: ((f: JsonFrame) => JsonFrame) | undefined, message: string | Buffer) =>
    edit && typeof message === 'string' ? JSON.stringify(edit(JSON.parse(message) as JsonFrame)) : message;
  await page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(pass(rewrite.toServer, message)));
    server.onMessage((message) => ws.send(pass(rewrite.toPage, message)));
  });
}

/**
 * Routes the page's `/ws` through to the real server unchanged, and returns a way to push a
 * frame to the page as if the server had sent it (a broadcast the test cannot cause for real).
 * Call before `openApp`; frames go to the newest connection.
 */
export async function injectFrames(page: Page): Promise<(frame: JsonFrame) => void> {
  let latest: { send(message: string): void } | null = null;
  await page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => ws.send(message));
    latest = ws;
  });
  return (frame) => {
    if (!latest) throw new Error('The page has no socket yet');
    latest.send(JSON.stringify(frame));
  };
}
