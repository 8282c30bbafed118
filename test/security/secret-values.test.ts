import { describe, expect, it } from 'vitest';
import { redact, redactTruncated } from '../../src/security/redact.js';
import { createStreamRedactor } from '../../src/security/stream-redactor.js';
import { SecretValues } from '../../src/security/secret-values.js';

const MASTER = '6f1c2a9e-4b7d-4e3a-9c1f-2b8d7e6a5c4d';
const CUSTOM = 'CUSTOMkeyNoPattern7731xq';

describe('exact secret values in the redactor', () => {
  const secrets = new SecretValues([() => [MASTER], () => [CUSTOM, 'short', '', undefined]]);

  it('replaces values no pattern would recognise; short values are ignored', () => {
    expect(redact(`token ${MASTER} and ${CUSTOM}; short stays`, secrets)).toBe('token [REDACTED] and [REDACTED]; short stays');
    expect(redact(`token ${MASTER}`)).toBe(`token ${MASTER}`);
  });

  it('picks up a changed value (the token regenerated, a key saved)', () => {
    let current = 'firstSecretValue123';
    const live = new SecretValues([() => [current]]);
    expect(redact('a firstSecretValue123 b', live)).toBe('a [REDACTED] b');
    current = 'secondSecretValue456';
    expect(redact('a firstSecretValue123 b secondSecretValue456', live)).toBe('a firstSecretValue123 b [REDACTED]');
  });

  it('the stream redactor equals redact() for every split of a text with values and patterns', () => {
    const text = `key ${MASTER} then sk-proj-Zq7Xk2Lm9Np4Rs6Tu8Vw1 and ${CUSTOM}${CUSTOM.slice(0, 10)} end ${MASTER.slice(0, 20)}`;
    const expected = redact(text, secrets);
    expect(expected).not.toContain(MASTER);
    for (let i = 1; i < text.length; i++) {
      for (const size of [1, 3]) {
        const r = createStreamRedactor(secrets);
        let out = r.push(text.slice(0, i));
        for (let j = i; j < text.length; j += size) out += r.push(text.slice(j, j + size));
        out += r.flush();
        expect(out, `split at ${i}/${size}`).toBe(expected);
      }
    }
  });

  it('a secret cut in half at the end of a preview is not shown', () => {
    expect(redactTruncated(`the token is ${MASTER.slice(0, 14)}`, secrets)).toBe('the token is [REDACTED]');
    expect(redactTruncated('my key: sk-proj-Zq7Xk2', secrets)).toBe('my key: [REDACTED]');
    expect(redactTruncated('db at postgres://admin:s3cr', secrets)).toBe('db at postgres://[REDACTED]');
    expect(redactTruncated('plain words at the end', secrets)).toBe('plain words at the end');
  });
});
