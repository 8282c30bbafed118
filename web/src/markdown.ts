import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

/**
 * Model output → safe HTML. Three layers, so no single mistake makes text executable:
 * 1. raw HTML in the Markdown is shown as text (never parsed as markup);
 * 2. DOMPurify removes anything active that still got through (handlers, scripts, javascript: URLs);
 * 3. links keep only http(s)/mailto targets and open in a new tab without an opener;
 *    images become links (the CSP blocks remote images anyway, and they would leak the reader's IP).
 * Code blocks and tables get their chrome (copy button, scroll wrapper) from `enhance`, after
 * sanitizing, from DOM nodes created here, not from strings.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const SAFE_URL = /^(https?:|mailto:)/i;

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    // Like marked's own, plus a mark on a fence not closed yet (the block still streaming in):
    // it is highlighted once finished, not re-highlighted on every frame.
    code({ text, lang, raw, codeBlockStyle }: Tokens.Code) {
      const language = /^\S*/.exec(lang ?? '')?.[0] ?? '';
      const cls = language ? ` class="language-${escapeHtml(language)}"` : '';
      const open = codeBlockStyle !== 'indented' && !fenceClosed(raw);
      return `<pre${open ? ' class="code-open"' : ''}><code${cls}>${escapeHtml(text.replace(/\n$/, ''))}\n</code></pre>\n`;
    },
    image({ href, text }: Tokens.Image) {
      const label = escapeHtml(text || href);
      return SAFE_URL.test(href) ? `<a href="${escapeHtml(href)}">🖼 ${label}</a>` : label;
    },
  },
});

/** Whether a fenced block's source ends with its closing fence. */
function fenceClosed(raw: string): boolean {
  const lines = raw.replace(/\n+$/, '').split('\n');
  return lines.length > 1 && /^ {0,3}(`{3,}|~{3,})\s*$/.test(lines[lines.length - 1]!);
}

let hooked = false;
function hookPurify(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (SAFE_URL.test(href.trim())) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      } else {
        node.removeAttribute('href');
      }
    }
  });
}

const PURIFY_CONFIG = {
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed', 'img', 'svg', 'math', 'video', 'audio', 'source', 'picture', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
};

/** Markdown to sanitized HTML (a string of inert markup). */
export function renderMarkdown(src: string): string {
  hookPurify();
  const html = marked.parse(src) as string;
  return DOMPurify.sanitize(html, PURIFY_CONFIG) as unknown as string;
}

/** The lazily loaded highlighter (`./highlight`, its own chunk): null until loaded. */
type Highlighter = typeof import('./highlight');
let highlighter: Highlighter | null = null;
let loading: Promise<void> | null = null;

/**
 * Loads the highlighter the first time a message has a fenced block with a language; when it
 * arrives, the blocks already on screen are highlighted. The first render shows plain code.
 */
function loadHighlighter(): void {
  if (loading) return;
  loading = import('./highlight').then(
    (mod) => {
      highlighter = mod;
      for (const code of Array.from(document.querySelectorAll<HTMLElement>('.code-block pre:not(.code-open) > code[class*="language-"]:not(.hljs)'))) {
        mod.highlightElement(code);
      }
    },
    () => {
      loading = null; // a failed chunk load (offline): try again with the next message
    },
  );
}

function highlightBlock(code: HTMLElement): void {
  if (!/\blanguage-/.test(code.className) || code.parentElement?.classList.contains('code-open')) return;
  if (highlighter) highlighter.highlightElement(code);
  else loadHighlighter();
}

const COPY_RESET_MS = 1600;

/** Copies the block's code; the button says so, and so does a live region for screen readers. */
function onCopyClick(e: MouseEvent): void {
  e.stopPropagation();
  const btn = e.currentTarget as HTMLButtonElement;
  const block = btn.closest('.code-block');
  const code = block?.querySelector('code')?.textContent ?? '';
  const status = block?.querySelector('.copy-status');
  const label = btn.getAttribute('data-label') ?? 'Copy code';
  void copyText(code).then((ok) => {
    const said = ok ? 'Copied' : 'Copy failed';
    btn.textContent = said;
    btn.setAttribute('aria-label', said);
    btn.classList.toggle('done', ok);
    if (status) status.textContent = ok ? 'Copied to the clipboard' : 'Could not copy';
    setTimeout(() => {
      btn.textContent = 'Copy';
      btn.setAttribute('aria-label', label);
      btn.classList.remove('done');
      if (status) status.textContent = '';
    }, COPY_RESET_MS);
  });
}

/**
 * Adds the chrome to sanitized Markdown, in place: a bar with the language and a Copy button on
 * code blocks (highlighted once the lazy highlighter is loaded), and a scroll container around
 * tables, so a wide table scrolls sideways on a phone instead of wrapping its numbers.
 */
export function enhance(root: HTMLElement): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    if (pre.parentElement?.classList.contains('code-block')) continue;
    const code = pre.querySelector('code');
    const lang = /language-([\w+#.-]+)/.exec(code?.className ?? '')?.[1] ?? '';
    const wrap = document.createElement('div');
    wrap.className = 'code-block';
    const bar = document.createElement('div');
    bar.className = 'code-bar';
    const label = document.createElement('span');
    label.className = 'code-lang';
    label.textContent = lang || 'text';
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'copy-btn';
    btn.textContent = 'Copy';
    const name = `Copy ${lang ? `${lang} ` : ''}code`;
    btn.setAttribute('aria-label', name);
    btn.setAttribute('data-label', name);
    btn.addEventListener('click', onCopyClick);
    const status = document.createElement('span');
    status.className = 'copy-status sr-only';
    status.setAttribute('role', 'status');
    bar.append(label, btn, status);
    pre.replaceWith(wrap);
    wrap.append(bar, pre);
    if (code) highlightBlock(code);
  }
  for (const table of Array.from(root.querySelectorAll('table'))) {
    if (table.parentElement?.classList.contains('table-wrap')) continue;
    const wrap = document.createElement('div');
    wrap.className = 'table-wrap';
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', 'Table (scrolls sideways)');
    table.replaceWith(wrap);
    wrap.append(table);
    // Cells that are numbers (amounts, dates, percentages) never break inside.
    for (const cell of Array.from(table.querySelectorAll('td, th'))) {
      const t = cell.textContent?.trim() ?? '';
      if (t && t.length <= 40 && NUMERIC_CELL.test(t)) cell.classList.add('num');
    }
  }
}

const NUMERIC_CELL = /^[-+−±~≈<>]?[\p{Sc}]?\s?[\d.,:/ \u00a0\u202f'’-]*\d[\d.,:/ \u00a0\u202f'’-]*\s?(%|‰|[\p{Sc}]|[a-zA-Zµ°]{1,4})?$/u;

/** Wraps every case-insensitive occurrence of `needle` in the text of `root` in <mark>. */
export function highlightText(root: HTMLElement, needle: string): HTMLElement | null {
  if (!needle) return null;
  const re = new RegExp(escapeRegExp(needle), 'giu');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  let first: HTMLElement | null = null;
  for (const node of nodes) {
    const text = node.data;
    re.lastIndex = 0;
    if (!re.test(text)) continue;
    re.lastIndex = 0;
    const frag = document.createDocumentFragment();
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0] === '') break;
      frag.append(text.slice(last, m.index));
      const mark = document.createElement('mark');
      mark.className = 'find-hit';
      mark.textContent = m[0];
      first ??= mark;
      frag.append(mark);
      last = m.index + m[0].length;
    }
    frag.append(text.slice(last));
    node.replaceWith(frag);
  }
  return first;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Copies text, also where the async clipboard is missing (plain http on a LAN address). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}
