/**
 * HTML → readable text for the model: the page's words without scripts, styles, navigation,
 * forms, hidden elements or markup; block elements become line breaks, list items "- ",
 * headings "#", links keep their text; entities decoded; whitespace collapsed.
 * A small tag walker, not a full parser: it only needs to be robust, not exact.
 */

/** Elements dropped with everything inside them. */
const DROP = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'math', 'canvas', 'iframe', 'object', 'embed', 'head',
  'nav', 'footer', 'aside', 'form', 'button', 'select', 'textarea', 'dialog', 'menu',
]);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const BLOCK = new Set([
  'address', 'article', 'blockquote', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'header', 'hr',
  'main', 'ol', 'p', 'pre', 'section', 'table', 'tr', 'ul', 'br', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'caption', 'details', 'summary',
]);

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…', laquo: '«', raquo: '»',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', reg: '®', trade: '™', deg: '°', middot: '·', bull: '•',
  times: '×', divide: '÷', euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', shy: '', zwj: '', zwnj: '',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});?/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '';
    }
    const named = NAMED[code.toLowerCase()];
    return named ?? whole;
  });
}

function isHidden(attrs: string): boolean {
  return /(?:^|\s)hidden(?:\s|=|$)/i.test(attrs)
    || /aria-hidden\s*=\s*["']?true/i.test(attrs)
    || /style\s*=\s*["'][^"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|rem|%)?\s*(?:;|["'])|opacity\s*:\s*0(?:\.0+)?\s*(?:;|["']))/i.test(attrs);
}

export interface PageText {
  title: string;
  text: string;
}

export function htmlToText(html: string): PageText {
  const title = decodeEntities(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '').replace(/\s+/g, ' ').trim();
  // Comments and CDATA first: they may contain anything, including fake tags.
  const src = html.replace(/<!--[\s\S]*?(?:-->|$)/g, ' ').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ' ').replace(/<!doctype[^>]*>/gi, '');
  const out: string[] = [];
  /** While dropping an element: its name and how deep we are inside same-named elements. */
  let drop: { name: string; depth: number } | null = null;
  let pre = 0;
  const lower = src.toLowerCase();
  const tags = tagScanner(src);
  let last = 0;
  for (let m = tags.next(last); m; m = tags.next(last)) {
    const { index, end, closing, name: rawName, attrs } = m;
    const selfClosing = attrs.trimEnd().endsWith('/');
    const name = rawName.toLowerCase();
    if (!drop) out.push(textPiece(src.slice(last, index), pre > 0));
    last = end;
    // Raw-text elements: skip straight to their end tag (their content is not markup).
    if (!closing && (name === 'script' || name === 'style' || name === 'textarea')) {
      const endTag = lower.indexOf(`</${name}`, last);
      last = endTag < 0 ? src.length : endTag;
      if (!drop) drop = { name, depth: 0 };
      else if (drop.name === name) drop.depth++;
      continue;
    }
    if (drop) {
      if (name === drop.name && !VOID.has(name) && !selfClosing) {
        if (closing) {
          if (drop.depth === 0) drop = null;
          else drop.depth--;
        } else drop.depth++;
      }
      continue;
    }
    if (!closing && !VOID.has(name) && !selfClosing && (DROP.has(name) || isHidden(attrs))) {
      drop = { name, depth: 0 };
      continue;
    }
    if (name === 'pre') pre += closing ? -1 : 1;
    if (name === 'img' && !closing) {
      const alt = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attrs);
      const text = alt?.[1] ?? alt?.[2];
      if (text?.trim()) out.push(` [image: ${decodeEntities(text.trim())}] `);
      continue;
    }
    if (/^h[1-6]$/.test(name)) {
      out.push(closing ? '\n\n' : `\n\n${'#'.repeat(Number(name[1]))} `);
      continue;
    }
    if (name === 'li') {
      if (!closing) out.push('\n- ');
      continue;
    }
    if (name === 'td' || name === 'th') {
      out.push(closing ? ' | ' : ' ');
      continue;
    }
    if (BLOCK.has(name)) out.push(name === 'br' ? '\n' : '\n\n');
  }
  if (!drop) out.push(textPiece(src.slice(last), pre > 0));
  const text = out.join('')
    .split('\n')
    // Only runs and odd blanks are replaced: replacing every single space is slow on big pages.
    .map((l) => l.replace(/[ \t\f\v\u00a0]{2,}|[\t\f\v\u00a0]/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^(- |#+ )\n/gm, '')
    .trim();
  return { title, text };
}

interface Tag {
  index: number;
  /** Just after the closing '>'. */
  end: number;
  closing: boolean;
  name: string;
  attrs: string;
}

const TAG_HEAD = /^<(\/?)([a-zA-Z][\w:-]*)((?:\s|\/)[^<>]*)?>$/;

/**
 * Finds tags left to right in linear time: a tag is a '<' name … '>' with no other '<' inside
 * (quotes are not special — this is text extraction, not a parser). With no '>' left, the rest
 * is text.
 */
function tagScanner(src: string) {
  let gt = src.indexOf('>');
  return {
    next(from: number): Tag | null {
      let lt = src.indexOf('<', from);
      while (lt >= 0) {
        if (gt < lt) {
          gt = src.indexOf('>', lt);
          if (gt < 0) return null;
        }
        const nextLt = src.indexOf('<', lt + 1);
        // Only the last '<' before a '>' can open a tag, so each stretch is examined once.
        if (nextLt < 0 || nextLt > gt) {
          const m = TAG_HEAD.exec(src.slice(lt, gt + 1));
          if (m) return { index: lt, end: gt + 1, closing: m[1] === '/', name: m[2]!, attrs: m[3] ?? '' };
        }
        lt = nextLt;
      }
      return null;
    },
  };
}

function textPiece(raw: string, inPre: boolean): string {
  // Stray '<' that did not start a tag stays as text.
  const decoded = decodeEntities(raw);
  return inPre ? decoded : decoded.replace(/\s{2,}|[^\S ]/g, ' ');
}

/** Above this, pages skip the DOM (linkedom holds several times the page in memory) and get the tag walker. */
export const ARTICLE_MAX_CHARS = 2_000_000;
/** Readability gives up (throws) past this many elements; the tag walker takes over. */
const ARTICLE_MAX_ELEMENTS = 50_000;

/**
 * The page's main content as text: Mozilla's Readability (Firefox Reader View) picks the article
 * out of navigation, ads, sidebars, related links and footers, on a linkedom DOM; its HTML then
 * goes through `htmlToText` for headings, lists and line breaks. Neither runs scripts. Both are
 * imported here, on the first call, so server start-up does not pay for them (~270 ms). Pages
 * that are not article-like, that Readability finds no article in, and very large pages fall
 * back to the whole-page tag walker.
 */
export async function extractArticle(html: string, url: string): Promise<PageText> {
  const whole = htmlToText(html);
  if (html.length > ARTICLE_MAX_CHARS) return whole;
  try {
    const [{ parseHTML }, { Readability, isProbablyReaderable }] = await Promise.all([import('linkedom'), import('@mozilla/readability')]);
    const { document } = parseHTML(html);
    // Firefox's test for offering Reader View: short or list-like pages keep all their text.
    if (!isProbablyReaderable(document)) return whole;
    // Readability resolves relative links against the document's URL; linkedom has none.
    setBaseUrl(document, url);
    const article = new Readability(document, { maxElemsToParse: ARTICLE_MAX_ELEMENTS, keepClasses: false }).parse();
    const text = article?.content ? htmlToText(article.content).text : '';
    // Readability can settle on a fragment (a comment box, a caption): keep the whole page then.
    if (text.length < Math.min(200, whole.text.length / 2)) return whole;
    return { title: whole.title || article?.title?.replace(/\s+/g, ' ').trim() || '', text };
  } catch {
    return whole;
  }
}

function setBaseUrl(document: Document, url: string): void {
  if (document.querySelector('base[href]') || !document.head) return;
  const base = document.createElement('base');
  base.setAttribute('href', url);
  document.head.prepend(base);
}
