import { describe, expect, it } from 'vitest';
import {
  DNS_1035_LABEL,
  DNS_LABEL,
  ENV_NAME,
  FIXED_DURATION,
  LITELLM_DURATION,
  QUANTITY,
  durationSeconds,
  notOneOf,
  quote,
  requireMatch,
  requirePositive,
  requireUnique,
} from '../constructs/validation.js';

describe('durationSeconds', () => {
  it.each<[string, number]>([
    ['1s', 1],
    ['90s', 90],
    ['30m', 1800],
    ['12h', 43_200],
    ['30d', 2_592_000],
    ['999999s', 999_999],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(durationSeconds('d', text)).toBe(seconds);
  });

  it.each<unknown>(['0s', '1000000s', '1w', '1mo', '01h', ' 1h', '1h ', 3600, null])('refuses %j', (value) => {
    expect(() => durationSeconds('rotation.period', value)).toThrow(`rotation.period ${quote(value)} is not a duration such as 90m, 12h or 30d`);
  });
});

describe('quote', () => {
  it('puts strings in single quotes and anything else in JSON', () => {
    expect(quote('xl')).toBe("'xl'");
    expect(quote(3)).toBe('3');
    expect(quote(null)).toBe('null');
    expect(quote(undefined)).toBe('(not set)');
    expect(quote(true)).toBe('true');
    expect(quote(10n)).toBe('10');
    expect(quote(['a', 1, null])).toBe('["a",1,null]');
    expect(quote({ a: 1, b: [true] })).toBe('{"a":1,"b":[true]}');
    expect(quote({})).toBe('{}');
    expect(quote([])).toBe('[]');
    expect(quote([undefined])).toBe('[null]');
  });

  it('keeps a 64-character quotation whole and cuts a 65-character one to 61 and ...', () => {
    expect(quote('a'.repeat(62))).toBe(`'${'a'.repeat(62)}'`);
    expect(quote('a'.repeat(63))).toBe(`'${'a'.repeat(60)}...`);
    expect(quote([1, 'x'.repeat(80)])).toBe(`[1,"${'x'.repeat(57)}...`);
  });

  it('stops writing a huge or deeply shared value early', () => {
    const shared: unknown[] = [];
    let value: unknown[] = shared;
    for (let i = 0; i < 30; i++) value = [value, value];
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    expect(quote(value)).toHaveLength(64);
    expect(quote(wide)).toBe(`${JSON.stringify(wide).slice(0, 61)}...`);
    expect(quote(Array.from({ length: 100_000 }, (_, i) => i))).toBe('[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,2...');
  });

  it('flattens line breaks and escapes control characters', () => {
    expect(quote('a\nb\r\tc')).toBe("'a b  c'");
    expect(quote('\x1b[31m')).toBe("'\\u001b[31m'");
    expect(quote('\x7f\x9f\u2028\u2029')).toBe("'\\u007f\\u009f\\u2028\\u2029'");
    expect(quote('\x00')).toBe("'\\u0000'");
  });
});

describe('messages', () => {
  it('name the value and what is allowed', () => {
    expect(notOneOf('tier', 'xl', ['small', 'medium', 'large'])).toBe("tier 'xl' is not one of small, medium, large");
  });
});

describe('requireMatch', () => {
  it('returns a matching string and refuses anything else', () => {
    expect(requireMatch('name', 'abc', DNS_LABEL, 'is bad')).toBe('abc');
    expect(() => requireMatch('name', 'ABC', DNS_LABEL, 'is bad')).toThrow("name 'ABC' is bad");
    expect(() => requireMatch('name', 5, /5/, 'is bad')).toThrow('name 5 is bad');
  });
});

describe('requirePositive', () => {
  it('accepts positive numbers, integers only when asked', () => {
    expect(requirePositive('n', 1, true)).toBe(1);
    expect(requirePositive('n', 0.5, false)).toBe(0.5);
    expect(requirePositive('n', Number.MIN_VALUE, false)).toBe(Number.MIN_VALUE);
  });

  it.each<[unknown, boolean, string]>([
    [0, false, 'n 0 is not a positive number'],
    [0, true, 'n 0 is not a positive integer'],
    [-1, true, 'n -1 is not a positive integer'],
    [1.5, true, 'n 1.5 is not a positive integer'],
    [Number.POSITIVE_INFINITY, false, 'n null is not a positive number'],
    [Number.NaN, false, 'n null is not a positive number'],
    ['1', false, "n '1' is not a positive number"],
  ])('refuses %j (integer: %s)', (value, integer, message) => {
    expect(() => requirePositive('n', value, integer)).toThrow(message);
  });
});

describe('requireUnique', () => {
  it('names the first repeated name', () => {
    expect(() => requireUnique('tier', ['a', 'b', 'c'])).not.toThrow();
    expect(() => requireUnique('tier', ['a', 'b', 'b', 'a'])).toThrow("tier 'b' is defined twice");
  });
});

describe('patterns', () => {
  it.each<[RegExp, string, readonly string[], readonly string[]]>([
    [DNS_LABEL, 'DNS_LABEL', ['a', '0', 'a-0', 'a'.repeat(63)], ['', 'A', '-a', 'a-', 'a.b', 'a_b']],
    [DNS_1035_LABEL, 'DNS_1035_LABEL', ['a', 'a-0'], ['0a', '-a', 'a-', 'A']],
    [LITELLM_DURATION, 'LITELLM_DURATION', ['30s', '30m', '12h', '1d', '1mo'], ['0d', '1w', '1', 'd', '1 d']],
    [FIXED_DURATION, 'FIXED_DURATION', ['1s', '999999d'], ['0s', '1000000s', '1mo']],
    [QUANTITY, 'QUANTITY', ['1', '500m', '1.5', '2Gi', '1Ei'], ['', '.5', '1.', '1gb', '1 Gi', '-1']],
    [ENV_NAME, 'ENV_NAME', ['A', '_A1', 'OPENAI_API_KEY'], ['', '1A', 'a', 'A-B']],
  ])('%s', (pattern, _name, matching, others) => {
    for (const text of matching) expect(pattern.test(text), text).toBe(true);
    for (const text of others) expect(pattern.test(text), text).toBe(false);
  });
});

describe('quote, on hostile values', () => {
  it('writes what JSON cannot as text', () => {
    expect(quote(Symbol('x'))).toBe('Symbol(x)');
    expect(quote(() => 1)).toBe('() => 1');
  });

  it('reads no more of an array or object than it writes: a huge value costs a bounded number of steps', () => {
    let reads = 0;
    const counted = (length: number) =>
      new Proxy(
        Array.from({ length }, (_, i) => i),
        { get: (target, key, receiver) => (typeof key === 'string' && /^\d+$/.test(key) && reads++, Reflect.get(target, key, receiver)) },
      );
    expect(quote(counted(10_000))).toHaveLength(64);
    expect(reads).toBeLessThan(40);
    reads = 0;
    const object = Object.defineProperties(
      {},
      Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, { enumerable: true, get: () => (reads++, i) }])),
    );
    expect(quote(object)).toHaveLength(64);
    expect(reads).toBeLessThan(20);
  });
});

describe('durationSeconds on values that only look right once turned into text', () => {
  it("refuses ['12h'], which a pattern alone would read as 12h", () => {
    expect(() => durationSeconds('rotation.period', ['12h'])).toThrow('rotation.period ["12h"] is not a duration such as 90m, 12h or 30d');
  });
});
