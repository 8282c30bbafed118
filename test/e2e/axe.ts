import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe is injected as a script: a context made with this lets it past the page's CSP (the app itself runs under it). */
export const AXE_CONTEXT = { bypassCSP: true } as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * The WCAG 2.1 AA violations axe finds on the page, or inside `within` (a JavaScript expression
 * naming an element, e.g. `document.querySelector('form.powers')`), one line each. axe is
 * injected once per page.
 */
export async function axe(page: Page, within = 'document'): Promise<string[]> {
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.addScriptTag({ path: AXE_PATH });
  const violations = (await page.evaluate(
    `axe.run(${within}, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
