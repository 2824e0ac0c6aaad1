import { describe, expect, it } from 'vitest';
import { redact, sanitize } from '../pipeline/errors.js';

describe('sanitize', () => {
  it('removes terminal escapes and control characters, and keeps one bounded line', () => {
    // GIVEN text as a hostile server could send it WHEN sanitized THEN only printable text is left
    expect(sanitize('\u001b[2J\u001b]0;title\u0007\u001b[31mred\u001b[0m\u0000 and\r\nnext\u2028line\u009b')).toBe('red and next line');
    expect(sanitize('x'.repeat(1000), 50)).toBe(`${'x'.repeat(47)}...`);
  });

  it('masks keys, LiteLLM key abbreviations and hex digests', () => {
    const hash = 'ab'.repeat(32);
    expect(sanitize(`key sk-abcdef123456 named sk-...Wx9z, Key Hash (Token) =${hash}`)).toBe('key sk-*** named sk-***, Key Hash (Token) =<hash>');
  });

  it('leaves uids, team ids and short fingerprints readable', () => {
    const text = "team 'ai.ns.a-rath_899662ab7bdf46f6d762ea11' uid 0d3f9a52-7c1e-4b8e-9a7d-1f2e3d4c5b6a fingerprint 0123456789ab";
    expect(redact(text)).toBe(text);
  });
});
