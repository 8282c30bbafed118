/**
 * Syntax highlighting for code blocks in answers: its own chunk, imported by `markdown.ts` only
 * when a message has a fenced block with a language, so the first visit does not pay for it.
 * highlight.js core with the languages models write most; others stay plain text.
 */
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import plaintext from 'highlight.js/lib/languages/plaintext';
import powershell from 'highlight.js/lib/languages/powershell';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import './highlight.css';

const LANGUAGES = {
  bash, c, cpp, csharp, css, diff, dockerfile, go, ini, java, javascript, json, kotlin, markdown, php, plaintext,
  powershell, python, ruby, rust, shell, sql, swift, typescript, xml, yaml,
};
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);
hljs.registerAliases(['sh', 'zsh'], { languageName: 'bash' });
hljs.registerAliases(['toml'], { languageName: 'ini' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });
hljs.registerAliases(['text', 'txt'], { languageName: 'plaintext' });

/** Larger blocks stay plain: highlighting them would hold up the page. */
const MAX_CHARS = 100_000;
/** Highlighted HTML by language and code: a finished block is highlighted once, not per frame. */
const cache = new Map<string, string>();
const CACHE_MAX = 200;

/**
 * The highlighted HTML of `code`, or null for a language not known here. highlight.js escapes
 * the code itself; DOMPurify, keeping only `<span class>`, makes sure nothing else gets through.
 */
export function highlightCode(code: string, lang: string): string | null {
  if (code.length > MAX_CHARS || !hljs.getLanguage(lang)) return null;
  const key = `${lang}\u0000${code}`;
  let html = cache.get(key);
  if (html === undefined) {
    const raw = hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
    html = DOMPurify.sanitize(raw, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'] }) as unknown as string;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, html);
  }
  return html;
}

/** Highlights a `<code class="language-…">` in place (it keeps the same text, so Copy copies the same). */
export function highlightElement(code: HTMLElement): void {
  const lang = /\blanguage-([\w+#.-]+)/.exec(code.className)?.[1]?.toLowerCase();
  if (!lang || code.classList.contains('hljs')) return;
  const html = highlightCode(code.textContent ?? '', lang);
  if (html === null) return;
  code.innerHTML = html;
  code.classList.add('hljs');
}
