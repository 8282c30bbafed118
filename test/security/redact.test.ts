import { describe, expect, it } from 'vitest';
import { redact } from '../../src/security/redact.js';
import { createStreamRedactor } from '../../src/security/stream-redactor.js';

// Spec §6.1: text sent to clients is redacted; key=value patterns replace only the value.

const R = '[REDACTED]';

// Fake secrets in the real formats.
const GH = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const PP = 'pp_Qw3rTy-uIoP_aSdFgHjKlZxCvBnM0123456789aB'; // pp_ + 43 URL-safe chars
const PEM_BODY = 'MIIEowIBAAKCAQEAx4Tz9k1Yq0b2\nT8yb+Jx0/2Fq9sD3==';

interface Case {
  readonly kind: string;
  /** [input, expected output] */
  readonly positive: ReadonlyArray<readonly [string, string]>;
  /** Inputs that must come back unchanged. */
  readonly negative: readonly string[];
}

const CASES: readonly Case[] = [
  {
    kind: 'OpenAI / Anthropic sk- keys',
    positive: [
      ['key: sk-proj-abc123DEF456ghi789JKL012mno', `key: ${R}`],
      ['use sk-ant-api03-AbCdEf0123456789_xyz-ABCDEFGH now.', `use ${R} now.`],
    ],
    negative: ['I like sk-learn a lot', 'risk-0123456789abcdefghijklmnop', 'sk-this-is-not-a-real-key-at-all', 'sk-12345'],
  },
  {
    kind: 'AWS access key ids',
    positive: [
      ['id AKIAIOSFODNN7EXAMPLE ok', `id ${R} ok`],
      ['(ASIAY34FZKBOKMUTVV7A)', `(${R})`],
    ],
    negative: ['AKIA1234', 'XAKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE1', 'akiaiosfodnn7example'],
  },
  {
    kind: 'AWS_SECRET_ACCESS_KEY values',
    positive: [
      ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `AWS_SECRET_ACCESS_KEY=${R}`],
      ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\nregion = us-east-1', `aws_secret_access_key = ${R}\nregion = us-east-1`],
    ],
    negative: ['AWS_SECRET_ACCESS_KEY=${AWS_SECRET}', 'AWS_SECRET_ACCESS_KEY=short'],
  },
  {
    kind: 'api_key / apikey values',
    positive: [
      ['GET /v1?api_key=abcdef0123456789abcd&q=1', `GET /v1?api_key=${R}&q=1`],
      ['apikey: ZYXWVUTSRQ9876543210', `apikey: ${R}`],
      ['{"api_key": "abcDEF0123456789xyz", "n": 1}', `{"api_key": "${R}", "n": 1}`],
      ['X-API-Key: 0123456789abcdef0123', `X-API-Key: ${R}`],
      ['OPENAI_API_KEY="abcdef0123456789abcd"', `OPENAI_API_KEY="${R}"`],
    ],
    negative: ['api_key=short123', 'apiKey = loadKeyFromVault()', 'the api key is stored in the vault'],
  },
  {
    kind: 'Bearer tokens',
    positive: [
      ['Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123', `Authorization: Bearer ${R}`],
      ['-H "authorization: bearer 0123456789abcdefghij.-_~+/="', `-H "authorization: bearer ${R}"`],
    ],
    negative: ['Bearer short123', 'the bearer of bad news', 'Bearer-tokens-are-twenty-chars-long'],
  },
  {
    kind: 'passwords in scheme://user:pass@host',
    positive: [
      ['postgres://admin:s3cr3t!pw@db.internal:5432/app', `postgres://admin:${R}@db.internal:5432/app`],
      ['redis://:hunter2@localhost:6379', `redis://:${R}@localhost:6379`],
      ['https://user:p@ss@example.com/x', `https://user:${R}@example.com/x`],
      [`https://${GH}:x-oauth-basic@github.com/o/r.git`, `https://${R}:${R}@github.com/o/r.git`],
    ],
    negative: ['https://example.com:8443/path', 'git clone git@github.com:owner/repo.git', 'mailto:user@example.com', 'https://user@example.com/'],
  },
  {
    kind: 'GitHub tokens',
    positive: [
      [`token ${GH}`, `token ${R}`],
      ['gho_0123456789abcdefghijABCDEFGHIJ012345 ghs_0123456789abcdefghijABCDEFGHIJ012345', `${R} ${R}`],
      ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv', R],
    ],
    negative: ['ghp_short', 'ghx_0123456789abcdefghijABCDEFGHIJ012345', 'xghp_0123456789abcdefghijABCDEFGHIJ012345'],
  },
  {
    kind: 'token / access_token / auth_token values',
    positive: [
      ['/cb?access_token=0123456789abcdefghijklmn&x=1', `/cb?access_token=${R}&x=1`],
      ['auth_token=0123456789abcdefghijklmn', `auth_token=${R}`],
      ['token: AbCdEf0123456789GhIjKl', `token: ${R}`],
      ['{"refresh_token":"0123456789abcdefghijklmn"}', `{"refresh_token":"${R}"}`],
    ],
    negative: ['token=abc123', 'max_tokens=4096', '{"token_type": "Bearer"}', 'token: well-known-and-documented'],
  },
  {
    kind: 'private keys',
    positive: [
      [`before\n-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----\nafter`, `before\n${R}\nafter`],
      [`x -----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY}`, `x ${R}`],
      ['"-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----\\n"', `"${R}\\n"`],
      [`-----BEGIN EC PRIVATE KEY-----\n${PEM_BODY}\n-----END EC PRIVATE KEY-----`, R],
    ],
    negative: [
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ\n-----END PUBLIC KEY-----',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      'the header says BEGIN PRIVATE KEY',
    ],
  },
  {
    kind: 'JWTs',
    positive: [
      [`jwt=${JWT}`, `jwt=${R}`],
      [`"id_token": "${JWT}"`, `"id_token": "${R}"`],
    ],
    negative: ['eyJhbGciOiJIUzI1NiJ9', 'eyJhbGciOiJIUzI1NiJ9.notajwt.x', `k${JWT}`],
  },
  {
    kind: 'SECRET / PASSWORD / CREDENTIAL values',
    positive: [
      ['DB_PASSWORD=hunter22', `DB_PASSWORD=${R}`],
      ['CLIENT_SECRET="s3cr3t-value"', `CLIENT_SECRET="${R}"`],
      ['GOOGLE_CREDENTIALS=abcdefgh123', `GOOGLE_CREDENTIALS=${R}`],
      ['password: hunter22', `password: ${R}`],
      ['{"password": "correcthorse"}', `{"password": "${R}"}`],
      ["export JWT_SECRET='0123456789abcdef'", `export JWT_SECRET='${R}'`],
    ],
    negative: [
      'PASSWORD=short',
      'the secret: patience.',
      'password = getpass.getpass()',
      'credentials: provided by the admin',
      'SECRET=${SECRET}',
    ],
  },
  {
    kind: 'Slack tokens',
    positive: [
      ['xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', R],
      ['slack: xoxp-1234567890-abcdefghij.', `slack: ${R}.`],
    ],
    negative: ['xoxo-gossip-girl-forever', 'xoxb-123'],
  },
  {
    kind: 'Google API keys',
    positive: [['key=AIzaSyA1234567890abcdefghijklmnopqrstuv', `key=${R}`]],
    negative: ['AIzaShort', 'xAIzaSyA1234567890abcdefghijklmnopqrstuv'],
  },
  {
    kind: 'Stripe live keys',
    positive: [
      ['sk_live_51H8abcDEF0123456789xyz', R],
      ['restricted rk_live_0123456789abcdefABCD', `restricted ${R}`],
    ],
    negative: ['sk_test_51H8abcDEF0123456789xyz', 'pk_live_51H8abcDEF0123456789xyz'],
  },
  {
    kind: 'PocketPaw pp_ / ppat_ / pprt_',
    positive: [
      [`key ${PP}.`, `key ${R}.`],
      ['ppat_AbCdEfGhIjKlMnOpQrStUvWxYz0123', R],
      ['pprt_AbCdEfGhIjKlMnOpQrStUvWxYz0123', R],
    ],
    negative: ['pp_snake_case_identifier_name', 'app_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'pp_Short1'],
  },
];

const ALL_POSITIVE = CASES.flatMap((c) => c.positive.map(([input]) => input));
const ALL_NEGATIVE = CASES.flatMap((c) => c.negative);

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function streamAll(parts: readonly string[]): { out: string; pushed: string[] } {
  const sr = createStreamRedactor();
  const pushed = parts.map((p) => sr.push(p));
  return { out: pushed.join('') + sr.flush(), pushed };
}

function randomSplit(text: string, rnd: () => number, maxLen: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; ) {
    const len = 1 + Math.floor(rnd() * maxLen);
    parts.push(text.slice(i, i + len));
    i += len;
  }
  return parts;
}

const FILLERS = [' ', ' ', '\n', '\t', ', ', '. ', '; ', '"', "'", '(', ')', '[', ']', ': ', '=', '/', '-', '@', '你好，世界！', '🎉', 'Hello', 'x', '42'];

function randomText(rnd: () => number): string {
  const pool = [...ALL_POSITIVE, ...ALL_NEGATIVE];
  let text = '';
  const n = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) {
    text += pool[Math.floor(rnd() * pool.length)];
    // Sometimes glue fragments together to exercise boundaries.
    if (rnd() < 0.7) text += FILLERS[Math.floor(rnd() * FILLERS.length)];
  }
  return text;
}

describe('redact(): patterns', () => {
  for (const c of CASES) {
    describe(c.kind, () => {
      it.each(c.positive.map(([input, expected]) => ({ input, expected })))('redacts $input', ({ input, expected }) => {
        expect(redact(input)).toBe(expected);
      });
      it.each(c.negative.map((input) => ({ input })))('leaves $input alone', ({ input }) => {
        expect(redact(input)).toBe(input);
      });
    });
  }

  it('replaces only the value of key=value forms', () => {
    const text = [
      'API_KEY = "abcdef0123456789abcd"',
      'access_token: 0123456789abcdefghijklmn',
      'DB_PASSWORD=hunter22 # prod',
      'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123',
      'postgres://admin:s3cr3t@db/app',
    ].join('\n');
    expect(redact(text)).toBe(
      [
        `API_KEY = "${R}"`,
        `access_token: ${R}`,
        `DB_PASSWORD=${R} # prod`,
        `Authorization: Bearer ${R}`,
        `postgres://admin:${R}@db/app`,
      ].join('\n'),
    );
  });

  it('leaves ordinary prose, code and CJK text unchanged', () => {
    const prose = [
      'The task-force met at 10:30; see https://example.com/docs?page=2 for details.',
      'Use `max_tokens: 4096` and `temperature: 0.7`. The token count was 1234.',
      'function login(user, password) { return check(password); }',
      '你好，世界！这是一个测试。🎉',
      'Here is the secret: consistency. Password: required.',
    ].join('\n');
    expect(redact(prose)).toBe(prose);
  });

  it('returns empty and secret-free text unchanged', () => {
    expect(redact('')).toBe('');
    expect(redact('hello')).toBe('hello');
  });

  it('is idempotent', () => {
    for (const [input, expected] of CASES.flatMap((c) => c.positive)) {
      expect(redact(expected)).toBe(expected);
      expect(redact(redact(input))).toBe(redact(input));
    }
    const rnd = prng(7);
    for (let i = 0; i < 500; i++) {
      const text = randomText(rnd);
      const once = redact(text);
      expect(redact(once), JSON.stringify(text)).toBe(once);
    }
  });

  it('redacts 100 KB quickly', () => {
    const unit =
      'The quick brown fox: token usage 1234, see https://example.com/p?q=1 and 你好 🎉. ' +
      'api_key=abcdef0123456789abcd sk-proj-abc123DEF456ghi789JKL012 {"password": "hunter22"}\n';
    const text = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
    for (let i = 0; i < 3; i++) redact(text); // warm up the regex
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      redact(text);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    // Typically ~1-3 ms; the bound is loose to stay stable on loaded CI machines.
    expect(times[2]).toBeLessThan(50);
  });
});

describe('createStreamRedactor()', () => {
  it('equals redact() for every split point of a text with every pattern kind', () => {
    const text = ALL_POSITIVE.join(' | ') + '\n' + ALL_NEGATIVE.join(' ; ');
    const expected = redact(text);
    // One character at a time.
    expect(streamAll([...text]).out).toBe(expected);
    // Every two-way split.
    for (let i = 0; i <= text.length; i++) {
      const { out } = streamAll([text.slice(0, i), text.slice(i)]);
      if (out !== expected) expect(out, `split at ${i}`).toBe(expected);
    }
  });

  it('equals redact() for random texts and random splits', () => {
    const rnd = prng(42);
    for (let i = 0; i < 400; i++) {
      const text = randomText(rnd);
      const expected = redact(text);
      for (const maxLen of [1, 3, 8, 40]) {
        const parts = randomSplit(text, rnd, maxLen);
        const { out } = streamAll(parts);
        if (out !== expected) expect(out, JSON.stringify(parts)).toBe(expected);
      }
    }
  });

  it('never emits a secret that is split across deltas', () => {
    const secrets = [GH, JWT, PP, 'sk-proj-abc123DEF456ghi789JKL012mno', 'AKIAIOSFODNN7EXAMPLE', 's3cr3t!pw'];
    const text = `a ${GH} b ${JWT} c ${PP} d sk-proj-abc123DEF456ghi789JKL012mno e AKIAIOSFODNN7EXAMPLE f postgres://u:s3cr3t!pw@h/`;
    const sr = createStreamRedactor();
    let out = '';
    for (const ch of text) {
      out += sr.push(ch);
      for (const s of secrets) {
        // No emitted prefix of the stream may end in the first 8 characters of a secret.
        expect(out.includes(s.slice(0, 8))).toBe(false);
      }
    }
    out += sr.flush();
    expect(out).toBe(redact(text));
  });

  it('lets text without token characters through immediately', () => {
    const sr = createStreamRedactor();
    for (const piece of ['你好，世界！', '🎉🚀', '「テスト」', '!?', '¿Qué? ', '(', ')', ', ', '\n', '—']) {
      expect(sr.push(piece)).toBe(piece);
    }
    expect(sr.flush()).toBe('');
  });

  it('holds back a word only until a boundary arrives', () => {
    const sr = createStreamRedactor();
    expect(sr.push('Hello')).toBe('');
    expect(sr.push(' wor')).toBe('Hello ');
    expect(sr.push('ld! 你好')).toBe('world! 你好');
    expect(sr.push(' sk-proj-abc123')).toBe(' ');
    expect(sr.push('DEF456ghi789JKL012mno')).toBe('');
    expect(sr.push('，')).toBe(`${R}，`);
    expect(sr.flush()).toBe('');
  });

  it('holds back a key=value value and a URL password until they end', () => {
    const sr = createStreamRedactor();
    let out = sr.push('DB_PASSWORD = "hunt');
    expect(out).toBe('DB_'); // the match starts at the key name; only the value is replaced
    out += sr.push('er22!" and postgres://admin:s3cr3t');
    expect(out).toBe(`DB_PASSWORD = "${R}" and `);
    out += sr.push('!pw@db/x ok');
    out += sr.flush();
    expect(out).toBe(`DB_PASSWORD = "${R}" and postgres://admin:${R}@db/x ok`);
  });

  it('emits [REDACTED] once a private-key header is complete and swallows the block', () => {
    const sr = createStreamRedactor();
    expect(sr.push('key:\n-----BEGIN RSA PRIV')).toBe('key:\n');
    expect(sr.push('ATE KEY-----\nMIIEow')).toBe(R);
    expect(sr.push('IBAAKCAQEAx4Tz9k1Yq0b2\nT8yb+Jx0/2Fq9sD3==\n-----END RSA ')).toBe('');
    expect(sr.push('PRIVATE KEY-----\nafter ')).toBe('\nafter ');
    expect(sr.flush()).toBe('');
  });

  it('redacts an unterminated private key to the end of the stream', () => {
    const sr = createStreamRedactor();
    let out = sr.push('x -----BEGIN OPENSSH PRIVATE KEY-----\n');
    for (let i = 0; i < 200; i++) out += sr.push('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n');
    out += sr.flush();
    expect(out).toBe(`x ${R}`);
  });

  it('bounds how much it holds back', () => {
    const rnd = prng(3);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let blob = '';
    for (let i = 0; i < 20_000; i++) blob += alphabet[Math.floor(rnd() * alphabet.length)];
    const sr = createStreamRedactor();
    let out = '';
    for (let i = 0; i < blob.length; i += 100) {
      out += sr.push(blob.slice(i, i + 100));
      expect(i + 100 - out.length).toBeLessThanOrEqual(4096 + 100);
    }
    out += sr.flush();
    expect(out).toBe(blob);
  });

  it('redacts an over-long secret that outgrows the hold-back limit', () => {
    const payload = 'eyJ' + 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIz'.repeat(200);
    const jwt = `eyJhbGciOiJIUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
    const text = `token follows ${jwt} done`;
    const sr = createStreamRedactor();
    let out = '';
    for (let i = 0; i < text.length; i += 50) out += sr.push(text.slice(i, i + 50));
    out += sr.flush();
    expect(out).toBe(`token follows ${R} done`);
  });

  it('can be reused after flush()', () => {
    const sr = createStreamRedactor();
    sr.push('api_key=abcdef0123456789abcd');
    expect(sr.flush()).toBe(`api_key=${R}`);
    expect(sr.push('plain text ')).toBe('plain text ');
    expect(sr.flush()).toBe('');
  });

  it('ignores empty deltas', () => {
    const sr = createStreamRedactor();
    expect(sr.push('')).toBe('');
    expect(sr.flush()).toBe('');
  });
});
