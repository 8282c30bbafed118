/**
 * Full-text search over memories: SQLite FTS5 with the `unicode61` tokenizer plus Porter
 * stemming ("prefers" finds "preference"), ranked by bm25.
 *
 * Scripts written without spaces (Chinese, Japanese, Korean, Thai, …) would be one token per
 * run under unicode61, so a word inside a sentence could never match. The indexed copy of the
 * text therefore puts a space around each of their characters (one token per character), and a
 * query turns each such run into overlapping two-character phrases: "东京塔" matches text
 * containing "东京" or "京塔", and bm25 ranks text containing more of them first.
 */

// Han, kana (with the prolonged sound mark), Hangul, Thai, Lao, Khmer, Myanmar.
const SPACELESS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\u30FC]/u;
const SPACELESS_G = new RegExp(SPACELESS.source, 'gu');
const SPACELESS_RUN = new RegExp(`${SPACELESS.source}+`, 'gu');

/** The text as indexed: spaceless-script characters become separate tokens. */
export function indexText(text: string): string {
  return text.replace(SPACELESS_G, ' $& ');
}

/** Words that say nothing about what a memory is about. */
const STOP_WORDS = new Set((
  'a an the is are was were be been being am have has had do does did will would could should may might shall can '
  + 'to of in for on with at by from as into about like through after over between out against during without before '
  + 'under around among and but or nor not so yet both either neither each every all any few more most other some such '
  + 'no only own same than too very just because if when where how what which who whom whose why this that these those '
  + 'i me my mine we us our you your yours he him his she her it its they them their there here then also please tell '
  + 'know remember recall anything something thing things get got let lets it\'s i\'m don\'t did didn\'t does doesn\'t '
  + 'say said ok okay hi hello hey thanks thank yes yeah'
).split(/\s+/));

const MAX_TERMS = 32;

/** FTS5 string literal: double quotes doubled. */
export function quote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export interface QueryTerms {
  /** Latin-like words (stop words dropped). */
  words: string[];
  /** Runs of spaceless-script characters. */
  runs: string[];
}

export function queryTerms(query: string): QueryTerms {
  const text = query.normalize('NFKC').toLowerCase();
  const runs = [...text.matchAll(SPACELESS_RUN)].map((m) => m[0]);
  const rest = text.replace(SPACELESS_RUN, ' ');
  const words: string[] = [];
  for (const m of rest.matchAll(/[\p{L}\p{N}_]+(?:'[\p{L}]+)?/gu)) {
    const w = m[0];
    if (STOP_WORDS.has(w)) continue;
    if (w.length < 2 && !/\p{N}/u.test(w)) continue;
    const bare = w.replace(/'.*$/, '');
    if (!words.includes(bare)) words.push(bare);
  }
  return { words, runs };
}

/** Overlapping character pairs of a run, as FTS phrases ("东京塔" → "东 京", "京 塔"). */
function bigramPhrases(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return [quote(chars[0]!)];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(quote(`${chars[i]} ${chars[i + 1]}`));
  return out;
}

/**
 * The FTS5 phrases of a query (already quoted), at most 32.
 * `any`: every word and every overlapping character pair of a spaceless run (ranked by relevance).
 * `all`: every word and every whole run (all must occur: forget deletes only what clearly matches).
 */
export function queryPhrases(query: string, mode: 'any' | 'all'): string[] {
  const { words, runs } = queryTerms(query);
  const terms = mode === 'all'
    ? [...words.map(quote), ...runs.map((r) => quote([...r].join(' ')))]
    : [...words.map(quote), ...runs.flatMap(bigramPhrases)];
  return [...new Set(terms)].slice(0, MAX_TERMS);
}

/** The phrases joined into one MATCH expression (OR for `any`, AND for `all`), or null when there are none. */
export function matchExpression(query: string, mode: 'any' | 'all'): string | null {
  const phrases = queryPhrases(query, mode);
  if (phrases.length === 0) return null;
  return phrases.join(mode === 'all' ? ' AND ' : ' OR ');
}

/** Restricts an expression to one scope's rows (the `scope` column holds the scope as a token). */
export function inScope(scope: string, expression: string): string {
  return `scope : ${quote(scope)} AND (${expression})`;
}
