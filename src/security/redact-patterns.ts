/**
 * Secret patterns for outbound redaction (spec §6.1).
 *
 * All patterns are alternatives of one combined regex, so `redact()` is a
 * single left-to-right pass that the stream redactor can reproduce exactly.
 * Rules the stream redactor relies on:
 *
 *  - A match is replaced by `prefix + "[REDACTED]"`, where `prefix` is the
 *    captured context (`api_key=`, `Bearer `, `://user:` …) or empty. So for
 *    key=value forms only the value is replaced.
 *  - Every alternative starts by consuming a literal-ish character (no leading
 *    positive lookbehind), which lets V8 skip ahead quickly; lookbehinds are
 *    short (< CONTEXT_CHARS).
 *  - Standalone tokens (sk-, AKIA, ghp_, JWT, xox?-, AIza, sk_live_, pp_ …)
 *    consist only of TOKEN_CLASS chars, start after a non-alphanumeric and end
 *    before a non-alphanumeric (this also makes redact() idempotent).
 *  - key=value values consist only of VALUE_CLASS chars (printable ASCII
 *    without whitespace, quotes, backslash and `&,;<>(){}[]`), so they stop at
 *    JSON quotes, query-string `&`, commas and brackets, and `[REDACTED]` is
 *    never a value.
 *  - The only multi-line match is a PEM private-key block.
 */

export const REDACTED = '[REDACTED]';

/** Longest lookbehind any pattern needs (the stream redactor keeps this much emitted text). */
export const CONTEXT_CHARS = 256;

/** Case-insensitive literal without the `i` flag (which would loosen the other alternatives). */
function ci(word: string): string {
  return word.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

// ---------------------------------------------------------------- char classes

/** Characters the stream redactor holds back while a run of them is open. */
export const TOKEN_CLASS = String.raw`[A-Za-z0-9_\-.+/=:@~]`;
/** Characters of a key=value secret value. */
export const VALUE_CLASS = String.raw`[A-Za-z0-9!#$%*+\-./:=?@^_|~]`;
/**
 * RFC 3986 userinfo characters plus a raw `@` (sloppy URLs: like browsers, the
 * *last* `@` of the authority ends the userinfo). The user part excludes `:`.
 */
const URL_USER_CLASS = String.raw`[A-Za-z0-9\-._~%!$&'()*+,;=@]`;
export const URL_PASS_CLASS = String.raw`[A-Za-z0-9\-._~%!$&'()*+,;=:@]`;

/** A value must end at a non-value char that is not `(` / `[` (skips code such as `password = getpass.getpass()`). */
const VALUE_END = String.raw`(?![A-Za-z0-9!#$%*+\-./:=?@^_|~(\[])`;
/** Value that is a plain (possibly hyphenated) word with trailing punctuation: "patience.", "well-known". */
const PLAIN_WORD = String.raw`[A-Za-z][a-z]{0,15}(?:-[a-z]{1,16}){0,3}[.!?]*(?![A-Za-z0-9!#$%*+\-./:=?@^_|~])`;
/**
 * Separator between a key name and its value, with optional quotes (also
 * JSON-escaped) and spaces: `=`, `:=`, `=>`, or `:` when the key or the value
 * is quoted (JSON, YAML). A bare `key: value` (prose-like) only counts when the
 * value is not a plain word, so "the secret: patience" stays readable while
 * "password: hunter22" is redacted.
 */
const SEP =
  '(?:' +
  String.raw`\\?["']?[ \t]{0,4}(?::=|=>|=)[ \t]{0,4}\\?["']?` +
  String.raw`|\\?["'][ \t]{0,4}:[ \t]{0,4}\\?["']?` +
  String.raw`|[ \t]{0,4}:[ \t]{0,4}\\?["']` +
  String.raw`|[ \t]{0,4}:(?!=)[ \t]{0,4}(?!${PLAIN_WORD})` +
  ')';
/** Characters a separator (in progress) can consist of; at most SEP_MAX of them. */
const SEP_CHARS = String.raw`[\\"' \t:=>]`;
const SEP_MAX = 14;

const NOT_ALNUM_BEFORE = '(?<![A-Za-z0-9])';

// ---------------------------------------------------------------- linear time
//
// A pattern may be tried at many starts inside one run of characters (`sk-sk-sk-…`,
// `api_key=api_key=…(`); if each start scanned to the end of the run, redact() would be
// quadratic in the run's length. So no quantifier that can be retried from many starts of the
// same run is unbounded unless what follows it cannot fail:
//  - "contains a digit" lookaheads look at most LOOKAHEAD_MAX characters ahead;
//  - a key=value value of VALUE_LONG characters or more is redacted whatever follows it, so
//    the VALUE_END check (and its backtracking) only ever covers shorter values;
//  - a JWT starts only where a run of base64url characters starts (not after `-` or `_`), so
//    the runs its segments scan never overlap from one start to the next.

/** How far a "must contain a digit" lookahead looks (keys have digits in their first few characters). */
const LOOKAHEAD_MAX = 64;
/** From this length on a key=value value is redacted whatever follows it. */
const VALUE_LONG = 256;

/** A key=value secret value of at least `min` characters. */
function value(min: number): string {
  return `(?:${VALUE_CLASS}{${VALUE_LONG}}${VALUE_CLASS}*|${VALUE_CLASS}{${min},${VALUE_LONG - 1}}${VALUE_END})`;
}
const NOT_ALNUM_AFTER = '(?![A-Za-z0-9])';

// ---------------------------------------------------------------- key names

const KW_BEARER = `${NOT_ALNUM_BEFORE}${ci('bearer')}`;
const KW_API_KEY = `${ci('api')}[_-]?${ci('key')}`;
/** token / access_token / auth_token / refresh_token / GITHUB_TOKEN / accessToken … */
const KW_TOKEN = ci('token');
/** SECRET / PASSWORD / PASSWD / PASSPHRASE / CREDENTIAL(S) plus a short suffix (AWS_SECRET_ACCESS_KEY, DB_PASSWORD, CLIENT_SECRET …). */
const KW_SECRET = `(?:${ci('secret')}|${ci('passw')}(?:${ci('or')})?${ci('d')}|${ci('passphrase')}|${ci('credential')})`;
/**
 * Name suffix after the keyword (SECRET_ACCESS_KEY, PasswordHash, CREDENTIALS).
 * Letters only, in short segments: the suffix is kept verbatim, so it must not
 * be able to swallow a token that another pattern would redact.
 */
const KW_SECRET_SUFFIX = String.raw`[A-Za-z]{0,12}(?:[_\-][A-Za-z]{1,16}){0,3}`;
const KW_SECRET_SUFFIX_MAX = 12 + 3 * 17;
/** `scheme://user:` right before the password (checked once the `:` is consumed; user may be empty, as in `redis://:pass@host`). */
const URL_USERINFO_BEHIND = String.raw`(?<=[A-Za-z][A-Za-z0-9+.\-]{0,30}:\/\/${URL_USER_CLASS}{0,128}:)`;

// ---------------------------------------------------------------- PEM

const PEM_LABEL = String.raw`(?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----`;
export const PEM_HEADER = `-----BEGIN ${PEM_LABEL}`;
export const PEM_FOOTER = `-----END ${PEM_LABEL}`;

// ---------------------------------------------------------------- alternatives

interface Pattern {
  readonly name: string;
  readonly source: string;
}

/**
 * In order of precedence at equal start positions. Capture groups: `pemHead`,
 * `pemEnd` (undefined when the block runs to end of text) and one `*Pre`
 * group per context-bearing pattern; all other groups are non-capturing.
 */
export const PATTERNS: readonly Pattern[] = [
  { name: 'private-key', source: String.raw`(?<pemHead>${PEM_HEADER})[\s\S]*?(?:(?<pemEnd>${PEM_FOOTER})|$)` },
  { name: 'bearer', source: String.raw`(?<bearerPre>${KW_BEARER}[ \t]{1,4})[A-Za-z0-9\-._~+/=]{20,}` },
  { name: 'api-key-value', source: `(?<apiKeyPre>${KW_API_KEY}${SEP})${value(16)}` },
  { name: 'token-value', source: `(?<tokenPre>${KW_TOKEN}${SEP})${value(20)}` },
  { name: 'secret-value', source: `(?<secretPre>${KW_SECRET}${KW_SECRET_SUFFIX}${SEP})${value(8)}` },
  // The match starts at the `:` before the password; scheme and user stay outside it (and get their own scan).
  { name: 'url-password', source: `(?<urlPre>:${URL_USERINFO_BEHIND})${URL_PASS_CLASS}{1,256}(?=@)` },
  // OpenAI / Anthropic (sk-ant-…, sk-proj-…): must contain a digit, to skip prose like "sk-learn-is-a-library-name".
  { name: 'sk-key', source: String.raw`${NOT_ALNUM_BEFORE}sk-(?=[A-Za-z0-9_\-]{0,${LOOKAHEAD_MAX}}[0-9])[A-Za-z0-9_\-]{20,}${NOT_ALNUM_AFTER}` },
  { name: 'aws-key-id', source: `${NOT_ALNUM_BEFORE}(?:AKIA|ASIA)[A-Z0-9]{16}${NOT_ALNUM_AFTER}` },
  { name: 'github', source: `${NOT_ALNUM_BEFORE}(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})${NOT_ALNUM_AFTER}` },
  { name: 'jwt', source: String.raw`(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*${NOT_ALNUM_AFTER}` },
  // xoxb- bot, xoxp- user, xoxa- app, xoxr- refresh, xoxs-, xoxe- config tokens; must contain a digit ("xoxo-…" is prose).
  { name: 'slack', source: String.raw`${NOT_ALNUM_BEFORE}xox[abeprs]-(?=[A-Za-z0-9\-]{0,${LOOKAHEAD_MAX}}[0-9])[A-Za-z0-9\-]{10,}${NOT_ALNUM_AFTER}` },
  { name: 'google', source: String.raw`${NOT_ALNUM_BEFORE}AIza[A-Za-z0-9_\-]{35,}${NOT_ALNUM_AFTER}` },
  { name: 'stripe-live', source: `${NOT_ALNUM_BEFORE}[rs]k_live_[A-Za-z0-9]{16,}${NOT_ALNUM_AFTER}` },
  // PocketPaw API keys / OAuth tokens: must contain an uppercase letter or digit, to skip snake_case identifiers.
  { name: 'pocketpaw', source: String.raw`(?<![A-Za-z0-9_])(?:ppat|pprt|pp)_(?=[A-Za-z0-9_\-]{0,${LOOKAHEAD_MAX}}[A-Z0-9])[A-Za-z0-9_\-]{20,}${NOT_ALNUM_AFTER}` },
];

/** All patterns in one global regex. Shared: callers must set `lastIndex` before `exec` (String#replace resets it). */
export const SECRET_RE = new RegExp(PATTERNS.map((p) => p.source).join('|'), 'g');

/** String#replace template equivalent to replacementFor() (groups that did not participate expand to ''). */
export const REPLACEMENT_TEMPLATE = `$<bearerPre>$<apiKeyPre>$<tokenPre>$<secretPre>$<urlPre>${REDACTED}`;

type Groups = Record<string, string | undefined>;

/** Replacement text for a SECRET_RE match: kept context + `[REDACTED]`. */
export function replacementFor(groups: Groups | undefined): string {
  if (groups === undefined) return REDACTED;
  const pre = groups.bearerPre ?? groups.apiKeyPre ?? groups.tokenPre ?? groups.secretPre ?? groups.urlPre ?? '';
  return pre + REDACTED;
}

// ---------------------------------------------------------------- stream-redactor helpers

/** Footer search inside an open PEM block. */
export const PEM_FOOTER_RE = new RegExp(PEM_FOOTER, 'g');
/** Longest footer, and the most trailing text to keep while searching for one. */
export const PEM_FOOTER_KEEP = 256;

const KEYWORDS = `${KW_BEARER}|${KW_API_KEY}|${KW_TOKEN}|${KW_SECRET}`;

/**
 * A key=value / Bearer context that may still be in progress at the end of the text: key
 * name and partial separator, then (possibly) a partial value. Found in two linear steps
 * (see `openKvStart` in redact.ts): a key name inside the trailing run of VALUE_CLASS chars
 * (KEYWORD_RE: the rest of the run is a value in progress), or a key name plus separator
 * ending right where that run starts (OPEN_KV_TAIL_RE, on the text before the run, searched
 * from OPEN_KV_LOOKBACK characters back).
 */
export const KEYWORD_RE = new RegExp(KEYWORDS, 'g');
export const OPEN_KV_TAIL_RE = new RegExp(
  `(?:${KW_BEARER}[ \\t]{0,4}|(?:${KW_API_KEY}|${KW_TOKEN}|${KW_SECRET}${KW_SECRET_SUFFIX})${SEP_CHARS}{0,${SEP_MAX}})$`,
  'g',
);
/**
 * Used only when a held-back run outgrows the stream redactor's limit: the start of a token
 * (by its prefix) inside the trailing run of VALUE_CLASS chars, or an open key=value context.
 */
export const TOKEN_PREFIX_RE = new RegExp(
  `${NOT_ALNUM_BEFORE}(?:sk-|sk_live_|rk_live_|AKIA|ASIA|AIza|gh[pousr]_|github_pat_|eyJ|xox[abeprs]-|ppat_|pprt_|pp_)`,
  'g',
);
export const OPEN_KV_LOOKBACK = 10 + KW_SECRET_SUFFIX_MAX + SEP_MAX + 8;
/** A URL userinfo that may still be in progress (until the authority ends). Search from 3 chars before the trailing URL_PASS_CLASS run. */
export const OPEN_URL_RE = new RegExp(String.raw`:\/\/${URL_PASS_CLASS}*$`, 'g');
/** Any proper prefix of a PEM private-key header at the end of the text (a superset is fine). */
export const OPEN_PEM_HEADER_RE = /-{1,5}(?:B(?:E(?:G(?:I(?:N(?: [A-Z0-9 ]*-{0,4})?)?)?)?)?)?$/g;
/** Upper bound on the length of a PEM header prefix. */
export const PEM_HEADER_MAX = 128;

function classTable(cls: string): Uint8Array {
  const re = new RegExp(cls);
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = re.test(String.fromCharCode(c)) ? 1 : 0;
  return table;
}

export const IS_TOKEN_CHAR = classTable(TOKEN_CLASS);
export const IS_VALUE_CHAR = classTable(VALUE_CLASS);
export const IS_URL_PASS_CHAR = classTable(URL_PASS_CLASS);
export const ALL_TOKEN_CHARS_RE = new RegExp(`^${TOKEN_CLASS}*$`);
