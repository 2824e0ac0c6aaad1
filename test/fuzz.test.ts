import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DNS_1035_LABEL, DNS_LABEL, LABEL_KEY, requestSchema } from '../constructs/index.js';
import { PipelineError } from '../pipeline/errors.js';
import { MAX_REQUEST_NAME, parseRequest } from '../pipeline/request.js';
import { aiRequest, kratixRun } from './support/kratix-run.js';
import { LiteLLMEmulator } from './support/litellm-emulator.js';
import { mapLimit } from './support/pool.js';
import { PROPERTY_SEED } from './support/property-seed.js';
import { FUZZ_AGREEMENT_SPECS, FUZZ_REQUEST_OBJECTS, FUZZ_YAML_PARALLELISM, FUZZ_YAML_TEXTS } from './support/reliability-figures.js';
import { admit } from './support/structural-schema.js';
import { TEST_CATALOG } from './support/test-catalog.js';

/*
 * Property-based tests of the pipeline's front door: whatever object or YAML text Kratix hands
 * over, the pipeline either accepts a well-formed request or refuses it with one short sentence
 * that names the field, and it never writes to LiteLLM for a request it refuses.
 */

const catalog = TEST_CATALOG;
const API_VERSION = 'marketplace.kratix.io/v1alpha1';
/** Every refusal names what is wrong first: a field path, or the document itself. */
const FIELD_PREFIXES = ['spec.', 'spec ', 'metadata.', 'metadata ', 'apiVersion ', 'kind ', 'request '];
/** Line breaks: a "one line" message contains none (the bundle also flattens U+2028 and the like). */
const LINE_BREAK = /[\n\r]/;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** Marks a field that the generated object leaves out. */
const ABSENT: unique symbol = Symbol('absent');

/**
 * A mapping built the way js-yaml builds one: every key an own, enumerable data property, so a key
 * named `__proto__` is a plain key and never a prototype.
 */
function mapping(entries: readonly (readonly [string, unknown])[], nullPrototype = false): Record<string, unknown> {
  const object: Record<string, unknown> = nullPrototype ? Object.create(null) : {};
  for (const [key, value] of entries) {
    if (value === ABSENT) continue;
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then', 'length'];
const FIELD_NAMES = ['apiVersion', 'kind', 'metadata', 'spec', 'name', 'namespace', 'uid', 'tier', 'team', 'models', 'ui', 'rotation', 'destinationSelector'];
const HUGE_STRINGS = [
  'x'.repeat(100_000),
  'é'.repeat(50_000),
  '\n'.repeat(10_000),
  `${'a-'.repeat(40_000)}a`,
  '😀'.repeat(30_000),
  'small '.repeat(20_000),
  '\u0000'.repeat(1_000),
  `${'a.'.repeat(120)}a/zone`,
];
const TRICKY_STRINGS = [
  'true', 'false', 'yes', 'no', 'on', '0', '1', '-1', '1e3', '0x10', 'null', '~', '', ' ', 'NaN', 'Infinity',
  'small ', ' small', 'Small', 'SMALL', 'smаll' /* Cyrillic а */, 'small\n', 'gpt-5 ', 'GPT-5', 'gpt‑5' /* non-breaking hyphen */,
  '\uD800', '\uFEFFsmall', 'a\u2028b', 'a\u0085b', 'a\tb', 'a\u000bb', '-', '-a', 'a-', 'a_b', 'a.b', 'a/b', '${HOME}', "'; DROP TABLE teams;--",
];

interface Arbitraries {
  /** Any scalar a YAML document (or a hostile caller) can produce. */
  readonly scalar: fc.Arbitrary<unknown>;
  /** Nested junk: scalars, lists and mappings, prototype-ish keys included. */
  readonly junk: fc.Arbitrary<unknown>;
  /** A `spec`, mostly shaped like a real one, each field valid, absent, near-miss or junk. */
  readonly spec: fc.Arbitrary<unknown>;
}

/**
 * Generators of values, junk and specs. `nulls: false` leaves out null, which the CRD-agreement
 * property needs (see `admitted` below); everything else is the same.
 */
function arbitraries(nulls: boolean): Arbitraries {
  const scalar = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(...HUGE_STRINGS),
    fc.constantFrom(...TRICKY_STRINGS),
    fc.constantFrom(...PROTO_KEYS),
    fc.constantFrom(...catalog.tierNames, ...catalog.modelNames),
    fc.integer().map(String),
    fc.integer(),
    fc.double(),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 53 + 2, 1e21, 0.5),
    fc.boolean(),
    ...(nulls ? [fc.constant(null), fc.date({ noInvalidDate: true })] : []),
  );
  const key = fc.oneof(fc.constantFrom(...PROTO_KEYS, ...FIELD_NAMES), fc.string({ unit: 'binary', maxLength: 20 }));
  const { junk } = fc.letrec<{ junk: unknown; map: Record<string, unknown> }>((tie) => ({
    junk: fc.oneof({ depthSize: 'small', maxDepth: 4 }, scalar, fc.array(tie('junk'), { maxLength: 4 }), tie('map')),
    map: fc
      .tuple(fc.array(fc.tuple(key, tie('junk')), { maxLength: 4 }), fc.boolean())
      .map(([entries, nullPrototype]) => mapping(entries, nullPrototype)),
  }));

  /** Mostly valid, sometimes absent, sometimes wrong. */
  const field = (valid: fc.Arbitrary<unknown>, wrong: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: 10, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: wrong });

  const team = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  const models = fc.shuffledSubarray([...catalog.modelNames], { minLength: 1 });
  const duration = fc.stringMatching(/^[1-9][0-9]{0,5}[smhd]$/);
  const labelValue = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/);

  const spec = fc
    .tuple(
      field(fc.constantFrom(...catalog.tierNames), fc.oneof(scalar, fc.array(fc.constantFrom(...catalog.tierNames), { maxLength: 2 }), junk)),
      field(
        team,
        fc.oneof(
          team.map((t) => t.toUpperCase()),
          team.map((t) => `${t}é`),
          fc.constantFrom('-a', 'a-', 'a_b', 'a.b', '', 'x'.repeat(64), 'team\n', ' team'),
          scalar,
          junk,
        ),
      ),
      field(
        models,
        fc.oneof(
          fc.constant([]),
          models.map((m) => [...m, m[0]]),
          fc.array(fc.oneof(fc.constantFrom(...catalog.modelNames), scalar), { maxLength: 5 }),
          fc.constantFrom(...catalog.modelNames),
          models.map((m) => mapping(m.map((name, i) => [String(i), name]))),
          junk,
        ),
      ),
      field(fc.boolean(), fc.oneof(fc.constantFrom('true', 'false', 'yes', 0, 1, ''), junk)),
      field(
        fc
          .tuple(field(duration, fc.oneof(scalar, fc.constantFrom('0d', '1mo', '1w', '1000000d', '12H'))), field(duration, scalar), field(fc.integer({ min: 0, max: 1_000_000_000 }), scalar))
          .map(([period, grace, trigger]) => mapping([['period', period], ['grace', grace], ['trigger', trigger]])),
        fc.oneof(scalar, junk, fc.constant({ trigger: -1 }), fc.constant({ trigger: 1.5 }), fc.constant({ trigger: 1_000_000_001 }), fc.constant({ trigger: '3' })),
      ),
      field(
        fc.dictionary(labelKey(), labelValue, { maxKeys: 8, noNullPrototype: true }),
        fc.oneof(
          fc.dictionary(labelKey(), labelValue, { minKeys: 9, maxKeys: 12, noNullPrototype: true }),
          fc.dictionary(labelKey(), fc.oneof(scalar, fc.constantFrom('x'.repeat(64), 'a b', '-x', 'x-', 'é')), { minKeys: 1, maxKeys: 3, noNullPrototype: true }),
          fc.array(fc.tuple(labelKey(), labelValue), { minLength: 1, maxLength: 3 }),
          scalar,
          junk,
        ),
      ),
      fc.array(fc.tuple(key, junk), { maxLength: 3 }),
    )
    .map(([tier, team, models, ui, rotation, destinationSelector, extras]) =>
      // Extras first: a generated extra named like a field is overwritten by the field, as in YAML
      // the later duplicate would be refused.
      mapping([...extras, ['tier', tier], ['team', team], ['models', models], ['ui', ui], ['rotation', rotation], ['destinationSelector', destinationSelector]]),
    );
  return { scalar, junk, spec: fc.oneof({ weight: 12, arbitrary: spec }, { weight: 1, arbitrary: junk }) };
}

/** Label keys the API server would accept: optional DNS-subdomain prefix, then a name. */
function labelKey(): fc.Arbitrary<string> {
  return fc.stringMatching(/^([a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?){0,2}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/);
}

/** Request names the pipeline accepts: DNS-1035 labels of at most MAX_REQUEST_NAME (53) characters. */
const requestName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,51}[a-z0-9])?$/);
const namespaceName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);

function request(metadata: unknown, spec: unknown, extras: readonly (readonly [string, unknown])[] = []): Record<string, unknown> {
  return mapping([...extras, ['apiVersion', API_VERSION], ['kind', 'ai'], ['metadata', metadata], ['spec', spec]]);
}

// ---------------------------------------------------------------------------------------------
// parseRequest on objects
// ---------------------------------------------------------------------------------------------

/** What must hold of every request parseRequest accepts. */
function expectWellFormed(parsed: ReturnType<typeof parseRequest>): void {
  expect(typeof parsed.name === 'string' && DNS_1035_LABEL.test(parsed.name) && parsed.name.length <= MAX_REQUEST_NAME).toBe(true);
  expect(typeof parsed.namespace === 'string' && DNS_LABEL.test(parsed.namespace) && parsed.namespace.length <= 63).toBe(true);
  expect(parsed.uid).toMatch(/^[A-Za-z0-9-]{1,64}$/);
  expect(catalog.tierNames).toContain(parsed.tier);
  expect(typeof parsed.team === 'string' && DNS_LABEL.test(parsed.team) && parsed.team.length <= 63).toBe(true);
  expect(parsed.models.length).toBeGreaterThan(0);
  expect(new Set(parsed.models).size).toBe(parsed.models.length);
  for (const model of parsed.models) expect(catalog.modelNames).toContain(model);
  expect(typeof parsed.ui).toBe('boolean');
  if (parsed.destinationSelector !== undefined) {
    expect(Object.keys(parsed.destinationSelector).length).toBeGreaterThan(0);
    for (const value of Object.values(parsed.destinationSelector)) expect(typeof value).toBe('string');
  }
}

/** What must hold of every refusal. */
function expectGoodRefusal(error: unknown): void {
  expect(error).toBeInstanceOf(PipelineError);
  const message = (error as Error).message;
  expect(message).not.toMatch(LINE_BREAK);
  expect(message.length).toBeLessThanOrEqual(400);
  expect(FIELD_PREFIXES.some((prefix) => message.startsWith(prefix)), `message names no field: ${message.slice(0, 120)}`).toBe(true);
}

/** A text that changes when any part of a value changes: own keys (`__proto__` too), -0, NaN, dates. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return `${typeof value}:${String(value)}`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}

function parseOutcome(object: unknown): { ok: true; value: ReturnType<typeof parseRequest> } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: parseRequest(object, catalog) };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('parseRequest on generated objects', () => {
  const hostile = arbitraries(true);
  const wrongName = fc.oneof(
    fc.stringMatching(/^[a-z][-a-z0-9]{52,61}[a-z0-9]$/),
    fc.constantFrom('1abc', 'Abc', 'a_b', 'a.b', 'ä', '', '-a', 'a-', 'x'.repeat(64), 'a'.repeat(100_000)),
    hostile.scalar,
    hostile.junk,
  );
  const metadata = fc.oneof(
    {
      weight: 10,
      arbitrary: fc
        .tuple(
          fc.oneof({ weight: 8, arbitrary: requestName }, { weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 2, arbitrary: wrongName }),
          fc.oneof({ weight: 8, arbitrary: namespaceName }, { weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('Default', 'a.b', 'x'.repeat(64)), hostile.junk) }),
          fc.oneof({ weight: 8, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', 'a b', 'x'.repeat(65)), hostile.scalar) }),
          fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS, 'labels', 'annotations', 'generation'), hostile.junk), { maxLength: 2 }),
        )
        .map(([name, namespace, uid, extras]) => mapping([...extras, ['name', name], ['namespace', namespace], ['uid', uid]])),
    },
    { weight: 1, arbitrary: hostile.junk },
    { weight: 1, arbitrary: fc.constant(ABSENT) },
  );
  const near = <T>(valid: T): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: 12, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: hostile.scalar });
  const object = fc.oneof(
    {
      weight: 20,
      arbitrary: fc
        .tuple(near(API_VERSION), near('ai'), metadata, fc.oneof({ weight: 10, arbitrary: hostile.spec }, { weight: 1, arbitrary: fc.constant(ABSENT) }), fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS, 'status', 'extra'), hostile.junk), { maxLength: 2 }))
        .map(([apiVersion, kind, meta, spec, extras]) => mapping([...extras, ['apiVersion', apiVersion], ['kind', kind], ['metadata', meta], ['spec', spec]])),
    },
    { weight: 1, arbitrary: hostile.junk },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

  it(`accepts a well-formed request or refuses with one short line naming the field (${FUZZ_REQUEST_OBJECTS} objects)`, () => {
    let accepted = 0;
    let refused = 0;
    let slowestMs = 0;
    // GIVEN thousands of generated request objects: valid ones, near misses and junk
    fc.assert(
      fc.property(object, (candidate) => {
        const before = canonical(candidate);
        // WHEN parseRequest reads one
        const started = performance.now();
        const outcome = parseOutcome(candidate);
        slowestMs = Math.max(slowestMs, performance.now() - started);
        // THEN it returns a well-formed request, or throws a PipelineError (never a TypeError or
        // RangeError) whose message is one line of at most 400 characters that starts with the field
        if (outcome.ok) {
          accepted++;
          expectWellFormed(outcome.value);
        } else {
          refused++;
          expectGoodRefusal(outcome.error);
        }
        // AND it leaves its input as it found it
        expect(canonical(candidate)).toBe(before);
      }),
      { numRuns: FUZZ_REQUEST_OBJECTS },
    );
    // AND the generator exercised both paths, and no input took long (a hang would show here)
    expect(accepted).toBeGreaterThan(FUZZ_REQUEST_OBJECTS / 20);
    expect(refused).toBeGreaterThan(FUZZ_REQUEST_OBJECTS / 4);
    expect(slowestMs).toBeLessThan(2_000);
  });
});

// ---------------------------------------------------------------------------------------------
// Agreement with the CRD
// ---------------------------------------------------------------------------------------------

/*
 * parseRequest re-checks what the CRD checks, from the same catalog. Kratix hands the pipeline the
 * stored object, i.e. the request after the API server pruned and defaulted it, so:
 *
 *   admit(requestSchema(catalog), object) has no errors  ⇔  parseRequest(object) accepts, and
 *   parseRequest(admitted object) returns the same request, with the CRD's defaults.
 *
 * The one deliberate difference: the CRD cannot see metadata.name (its length limit of 53, which
 * names derived from it need) nor the keys of spec.destinationSelector (additionalProperties
 * constrain values only), so parseRequest is stricter there. The agreement property generates names
 * of at most 53 characters and valid label keys; the differences are tested on their own below.
 *
 * Null is also generated separately: the API server prunes a null non-nullable field before
 * defaulting (Kubernetes docs, "Defaulting and Nullable"), which the admit() test double does not
 * model (it reports a type error), while parseRequest treats null as absent, as the stored object
 * would have it.
 */
describe('parseRequest agrees with the CRD', () => {
  const schema = requestSchema(catalog);
  const { spec } = arbitraries(false);
  const metadata = fc.tuple(requestName, namespaceName, fc.uuid()).map(([name, namespace, uid]) => ({ name, namespace, uid }));

  it(`accepts exactly what admission accepts, with the same defaults (${FUZZ_AGREEMENT_SPECS} specs)`, () => {
    let agreedValid = 0;
    // GIVEN generated specs in requests with valid metadata
    fc.assert(
      fc.property(metadata, spec, (meta, generated) => {
        // Label keys are the documented difference (tested below): leave out the rare junk selector
        // with an invalid key.
        const selector = (generated as { destinationSelector?: unknown } | null)?.destinationSelector;
        fc.pre(!(selector && typeof selector === 'object' && !Array.isArray(selector) && Object.keys(selector).some((k) => !LABEL_KEY.test(k))));
        const object = request(meta, generated);
        // WHEN the API server's admission and the pipeline each judge the request
        const admitted = admit(schema, object);
        const parsed = parseOutcome(object);
        // THEN they agree on whether it is valid
        expect(
          parsed.ok,
          `admission: ${admitted.errors.join('; ').slice(0, 300) || 'accepted'} / parseRequest: ${parsed.ok ? 'accepted' : (parsed.error as Error).message}`,
        ).toBe(admitted.errors.length === 0);
        if (!parsed.ok) {
          expectGoodRefusal(parsed.error);
          return;
        }
        agreedValid++;
        // AND on the stored (pruned, defaulted) object the pipeline reads the same request
        const stored = admitted.object as { spec: { tier: unknown; ui: unknown } };
        expect(parseRequest(stored, catalog)).toEqual(parsed.value);
        // AND its defaults are the CRD's defaults
        expect(parsed.value.tier).toBe(stored.spec.tier);
        expect(parsed.value.ui).toBe(stored.spec.ui);
      }),
      { numRuns: FUZZ_AGREEMENT_SPECS },
    );
    expect(agreedValid).toBeGreaterThan(FUZZ_AGREEMENT_SPECS / 10);
    expect(agreedValid).toBeLessThan(FUZZ_AGREEMENT_SPECS * 0.9);
  });

  const validSpec = fc.record({
    tier: fc.constantFrom(...catalog.tierNames),
    team: fc.constantFrom('engineering', 'data', 'a'),
    models: fc.shuffledSubarray([...catalog.modelNames], { minLength: 1 }),
  });

  it('difference 1: a name of 54 to 63 characters passes the CRD but not the pipeline', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][-a-z0-9]{52,61}[a-z0-9]$/), validSpec, (name, s) => {
        // GIVEN a valid request whose name is a DNS-1035 label longer than 53 characters
        const object = request({ name, namespace: 'default', uid: 'uid-1' }, s);
        // WHEN admitted and parsed
        // THEN the CRD accepts it (it cannot constrain metadata.name)
        expect(admit(schema, object).errors).toEqual([]);
        // AND the pipeline refuses it, naming the field and the limit
        expect(() => parseRequest(object, catalog)).toThrow(new RegExp(`^metadata\\.name '[-a-z0-9.]+'? is ${name.length} characters; at most ${MAX_REQUEST_NAME} fit`));
      }),
      { numRuns: 100 },
    );
  });

  it.each(['-bad', 'a b', 'Bad.Prefix/x', 'x'.repeat(64), 'prefix/', '/name', 'é', 'a/b/c'])(
    'difference 2: destinationSelector label key %j passes the CRD but not the pipeline',
    (key) => {
      // GIVEN a valid request whose destinationSelector has an invalid label key and a valid value
      const object = request({ name: 'example', namespace: 'default', uid: 'uid-1' }, { team: 'a', models: ['gpt-5'], destinationSelector: { [key]: 'eu' } });
      // THEN the CRD accepts it (additionalProperties constrain values only)
      expect(admit(schema, object).errors).toEqual([]);
      // AND the pipeline refuses it, naming the field
      expect(() => parseRequest(object, catalog)).toThrow(/^spec\.destinationSelector label key .* is not a valid label key$/);
    },
  );

  it('treats a null field as absent, as the API server stores it (null pruning, then defaults)', () => {
    fc.assert(
      fc.property(validSpec, fc.boolean(), fc.constantFrom('tier', 'ui', 'rotation', 'destinationSelector'), (s, ui, field) => {
        // GIVEN a valid request, and the same request with one optional field set to null
        const absent = request({ name: 'example', namespace: 'default', uid: 'uid-1' }, { ...s, ui });
        delete (absent.spec as Record<string, unknown>)[field];
        const nulled = request({ name: 'example', namespace: 'default', uid: 'uid-1' }, { ...s, ui, [field]: null });
        // THEN the pipeline reads both the same way
        expect(parseRequest(nulled, catalog)).toEqual(parseRequest(absent, catalog));
      }),
      { numRuns: 100 },
    );
    // AND a null required field is reported as missing
    const base = { name: 'example', namespace: 'default', uid: 'uid-1' };
    expect(() => parseRequest(request(base, { team: null, models: ['gpt-5'] }), catalog)).toThrow(/^spec\.team is missing/);
    expect(() => parseRequest(request(base, { team: 'a', models: null }), catalog)).toThrow(/^spec\.models is missing/);
  });

  /*
   * Found by this suite: Kubernetes limits a label key's prefix to a DNS subdomain of at most 253
   * characters, each label at most 63, and the key must be quoted (bounded) in messages.
   */
  const longPrefix = `${'a.'.repeat(250)}a/zone`; // a 501-character prefix
  it('refuses a destinationSelector label key whose prefix is longer than 253 characters', () => {
    const object = request({ name: 'example', namespace: 'default', uid: 'uid-1' }, { team: 'a', models: ['gpt-5'], destinationSelector: { [longPrefix]: 'eu' } });
    expect(() => parseRequest(object, catalog)).toThrow(PipelineError);
  });
  it('refuses a destinationSelector label key with a 64-character prefix label', () => {
    const object = request({ name: 'example', namespace: 'default', uid: 'uid-1' }, { team: 'a', models: ['gpt-5'], destinationSelector: { [`${'a'.repeat(64)}.io/zone`]: 'eu' } });
    expect(() => parseRequest(object, catalog)).toThrow(PipelineError);
  });
  it('keeps the message about a bad label value under a long key to 400 characters', () => {
    const object = request({ name: 'example', namespace: 'default', uid: 'uid-1' }, { team: 'a', models: ['gpt-5'], destinationSelector: { [longPrefix]: 5 } });
    const outcome = parseOutcome(object);
    expect(outcome.ok).toBe(false);
    expectGoodRefusal(!outcome.ok && outcome.error);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile YAML texts through the bundled pipeline
// ---------------------------------------------------------------------------------------------

function template(i: number, spec = 'spec:\n  tier: small\n  ui: false\n  team: engineering\n  models:\n  - gpt-5\n  - gemini-2.5-pro\n'): string {
  return `apiVersion: ${API_VERSION}\nkind: ai\nmetadata:\n  name: fuzz-${i}\n  namespace: fuzz\n  uid: 0b5c2c58-0000-4000-8000-${String(i).padStart(12, '0')}\n${spec}`;
}

/** A deterministic byte soup (as a latin1 string, so every byte value 0-255 occurs). */
function junkBytes(length: number, seed: number): string {
  let state = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out += String.fromCharCode((state >>> 0) & 0xff);
  }
  return out;
}

const MiB = 1024 * 1024;

/** Hand-written attacks; every one is one input/object.yaml. */
function handwrittenTexts(): string[] {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    laughs.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const bomb = `${laughs.join('\n')}\n`;
  const indentedBomb = laughs.map((l) => `  ${l}`).join('\n');
  const padding = (target: number, body: string): string => {
    const line = `# ${'p'.repeat(77)}\n`;
    let pad = line.repeat(Math.floor((target - body.length) / line.length));
    pad += '#'.repeat(Math.max(0, target - body.length - pad.length - 1)) + (target - body.length - pad.length > 0 ? '\n' : '');
    return pad + body;
  };
  const valid = template(900);
  return [
    // Aliases: the billion laughs, alone and inside a request; any alias at all
    bomb,
    `${template(901, `spec:\n${indentedBomb}\n  team: *j\n  models: [gpt-5]\n`)}`,
    `defaults: &m [gpt-5]\n${template(902, 'spec:\n  team: engineering\n  models: *m\n')}`,
    `base: &b {team: engineering, models: [gpt-5]}\n${template(903, 'spec:\n  <<: *b\n')}`,
    template(904, 'spec:\n  <<: {team: engineering, models: [gpt-5]}\n'),
    template(905, 'spec:\n  team: &t engineering\n  models: [gpt-5]\n'),
    // Deep nesting, block and flow
    `${template(906, 'spec:\n')}${Array.from({ length: 400 }, (_, i) => `${'  '.repeat(i + 1)}a:`).join('\n')} 1\n`,
    `${'['.repeat(200_000)}${']'.repeat(200_000)}\n`,
    `${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`,
    template(907, `spec:\n  team: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n  models: [gpt-5]\n`),
    `${'- '.repeat(20_000)}x\n`,
    // Huge documents just under, at and over the 1 MiB limit
    template(908, `spec:\n  team: ${'a'.repeat(900_000)}\n  models: [gpt-5]\n`),
    template(909, `spec:\n  team: engineering\n  models:\n${'  - gpt-5\n'.repeat(60_000)}`),
    template(910, `spec:\n  team: engineering\n  models: [gpt-5]\n${Array.from({ length: 30_000 }, (_, i) => `  k${i}: v`).join('\n')}\n`),
    padding(900_000, template(911)),
    padding(MiB, template(912)),
    padding(MiB + 1, template(913)),
    'x'.repeat(5 * MiB),
    template(914, `spec:\n  team: "${'a'.repeat(900_000)}\n`),
    `${'k'.repeat(500_000)}: v\n`,
    // Binary junk, control characters, encodings
    junkBytes(65_536, 1),
    junkBytes(512, 2) + valid,
    valid.replace('team: engineering', 'team: engi\u0000neering'),
    `\uFEFF${template(915)}`,
    template(916).replace(/\n/g, '\r\n'),
    template(917).replace(/\n/g, '\r'),
    template(918).replace('engineering', 'engineer\u0085ing'),
    template(919).replace('engineering', '\uD800\uDFFF\uDBFF'),
    '\u0000',
    '\uFFFE\uFFFF',
    // Tabs
    template(920).replace(/^ {2}/gm, '\t'),
    template(921).replace('team: engineering', 'team:\tengineering'),
    template(922).replace('  - gpt-5', '\t- gpt-5'),
    // Several documents, or none
    `${template(923)}---\n${template(924)}`,
    `---\n${template(925)}...\n---\nkind: ai\n`,
    `${template(926)}---\n`,
    '',
    '   \n\n\t\n',
    '---\n',
    '...\n',
    '~\n',
    'null\n',
    '[]\n',
    '"just a string"\n',
    '42\n',
    '# only a comment\n',
    // Tags and directives
    template(927, 'spec:\n  team: !!js/function "function () { return 1 }"\n  models: [gpt-5]\n'),
    template(928, 'spec: !!python/object/apply:os.system ["id"]\n'),
    template(929, 'spec:\n  team: !!binary aGVsbG8=\n  models: [gpt-5]\n'),
    template(930, 'spec:\n  team: !include /etc/passwd\n  models: [gpt-5]\n'),
    `%YAML 1.1\n---\n${template(931)}`,
    `%TAG ! tag:evil.example,2000:\n---\n${template(932)}`,
    template(933, 'spec:\n  team: !!int 12\n  models: [gpt-5]\n'),
    template(934, 'spec:\n  ui: !!str true\n  team: engineering\n  models: [gpt-5]\n'),
    // Duplicate and prototype-ish keys, complex keys
    template(935, 'spec:\n  team: engineering\n  team: other\n  models: [gpt-5]\n'),
    template(936, 'spec:\n  __proto__: {team: engineering, models: [gpt-5]}\n'),
    `__proto__: {polluted: true}\n${template(937)}`,
    template(938, 'spec:\n  constructor: {prototype: {team: x}}\n  team: engineering\n  models: [gpt-5]\n'),
    template(939, 'spec:\n  ? [a, b]\n  : c\n  team: engineering\n  models: [gpt-5]\n'),
    template(940, 'spec:\n  team: engineering\n  models: [gpt-5]\n  destinationSelector: {__proto__: eu}\n'),
    // Numbers as strings, strings as numbers, lists for maps and maps for lists
    template(941, 'spec:\n  team: 0x1F\n  models: [1e3]\n'),
    template(942, 'spec:\n  ui: "true"\n  team: engineering\n  models: "gpt-5"\n'),
    template(943, 'spec:\n  ui: yes\n  team: engineering\n  models: [gpt-5]\n'),
    template(944, 'spec:\n  team: engineering\n  models: {0: gpt-5}\n  destinationSelector: [[zone, eu]]\n'),
    template(945, 'spec:\n  tier: smаll\n  team: engineering\n  models: [gpt-5]\n'),
    // Other shapes
    JSON.stringify({ apiVersion: API_VERSION, kind: 'ai', metadata: { name: 'fuzz-946', namespace: 'fuzz', uid: 'uid-946' }, spec: { team: 'engineering', models: ['gpt-5'] } }),
    `apiVersion: v1\nkind: List\nitems:\n- ${template(947).replace(/\n/g, '\n  ')}\n`,
    `${template(948)}status:\n  message: ${'z'.repeat(10_000)}\n`,
  ];
}

/** Small edits that break (or keep) a valid request, generated. */
function generatedTexts(count: number, seed: number): string[] {
  const snippets = ['&a ', '*a', '\t', ': ', '- ', '{', '}', '[', ']', '"', "'", '\u0000', '#', '---\n', '!!str ', '? ', '|', '>', '%YAML 1.2\n', '😀', '\\', '&', '*', '!', '@', '`', '\r', '<<: *a\n', '  ', 'é'];
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...snippets), fc.string({ unit: 'binary', maxLength: 8 })) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('tabs' as const) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  const { junk } = arbitraries(true);
  const text = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.nat({ max: 899 }), fc.array(edit, { minLength: 1, maxLength: 4 })) },
    { weight: 1, arbitrary: junk.map((j) => ({ junk: j })) },
  );
  return fc.sample(text, { seed, numRuns: count }).map((generated, i) => {
    if (!Array.isArray(generated)) {
      const j = (generated as { junk: unknown }).junk;
      return dump({ apiVersion: API_VERSION, kind: 'ai', metadata: { name: `fuzz-gen-${i}`, namespace: 'fuzz', uid: `uid-gen-${i}` }, spec: j }, { skipInvalid: true });
    }
    const [n, edits] = generated;
    let out = template(n);
    for (const e of edits) {
      const at = 'at' in e ? e.at % (out.length + 1) : 0;
      if (e.kind === 'insert') out = out.slice(0, at) + e.text + out.slice(at);
      else if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + e.length);
      else if (e.kind === 'truncate') out = out.slice(0, at);
      else if (e.kind === 'tabs') out = out.replace(/^ {2}/gm, '\t');
      else {
        const lines = out.split('\n');
        const line = at % lines.length;
        lines.splice(line, 0, lines[line]!);
        out = lines.join('\n');
      }
    }
    return out;
  });
}

describe('the bundled pipeline on hostile YAML texts', () => {
  let emulators: LiteLLMEmulator[] = [];
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fuzz-yaml-'));
    // One LiteLLM per lane: a lane runs its texts one after another, so the writes between two
    // snapshots belong to exactly one run.
    emulators = await Promise.all(Array.from({ length: FUZZ_YAML_PARALLELISM }, () => LiteLLMEmulator.start()));
  });
  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  it(`exits 0 or 1, refuses with one line and writes nothing to LiteLLM for a bad input (${FUZZ_YAML_TEXTS} texts)`, async () => {
    // GIVEN hundreds of hostile input/object.yaml texts: alias bombs, deep nesting, near-1 MiB
    // documents, binary junk, several documents, tabs, tags, and generated edits of a valid request
    const seed = PROPERTY_SEED >>> 0;
    const handwritten = handwrittenTexts();
    const texts = [...handwritten, ...generatedTexts(FUZZ_YAML_TEXTS - handwritten.length, seed)];
    expect(texts).toHaveLength(FUZZ_YAML_TEXTS);
    const problems: string[] = [];
    const codes = { accepted: 0, refused: 0 };

    // WHEN each runs through the bundle as Kratix runs it, FUZZ_YAML_PARALLELISM at a time
    const lanes = Array.from({ length: FUZZ_YAML_PARALLELISM }, (_, lane) => texts.map((text, i) => ({ text, i })).filter(({ i }) => i % FUZZ_YAML_PARALLELISM === lane));
    await Promise.all(
      lanes.map(async (items, lane) => {
        const emulator = emulators[lane]!;
        await mapLimit(items, 1, async ({ text, i }) => {
          const writesBefore = emulator.writes().length;
          const run = await kratixRun({
            type: 'resource',
            action: 'configure',
            object: text,
            litellmUrl: emulator.url,
            masterKey: emulator.masterKey,
            dir: join(root, String(i)),
            killAfterMs: 30_000,
          });
          rmSync(join(root, String(i)), { recursive: true, force: true });
          const writes = emulator.writes().length - writesBefore;
          const label = `text #${i}${i >= handwritten.length ? ` (generated, seed ${seed})` : ''} ${JSON.stringify(text.slice(0, 120))}: exit ${run.code}, ${writes} write(s), stderr ${JSON.stringify(run.stderr.slice(0, 300))}`;
          // THEN it exits 0 or 1, never another code and never killed for hanging
          if (run.code !== 0 && run.code !== 1) problems.push(`${label}: bad exit code`);
          // AND no stack trace reaches the log
          if (/\n\s+at /.test(`\n${run.stdout}\n${run.stderr}`)) problems.push(`${label}: stack trace`);
          if (run.code === 0) {
            codes.accepted++;
            if (run.stderr !== '') problems.push(`${label}: stderr on success`);
          } else if (run.code === 1) {
            codes.refused++;
            // AND a refusal is exactly one line starting with `error: `
            if (!/^error: [^\n]*\n$/.test(run.stderr)) problems.push(`${label}: stderr is not one 'error: ' line`);
            // AND LiteLLM saw no write for it
            if (writes !== 0) problems.push(`${label}: writes to LiteLLM for a refused request`);
          }
        });
      }),
    );
    expect(problems).toEqual([]);
    // AND both outcomes occurred: valid requests (BOM, CRLF, padding, JSON...) still work
    expect(codes.accepted).toBeGreaterThan(5);
    expect(codes.refused).toBeGreaterThan(FUZZ_YAML_TEXTS / 2);
  }, 180_000);

  /*
   * Found by this suite: `constructor`, `toString` and `hasOwnProperty` are valid label keys, and a
   * selector check must not mistake them for labels the platform set (Object.prototype members).
   */
  it('accepts destinationSelector label keys named like Object.prototype members', async () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
      // GIVEN a valid request whose destinationSelector uses such a key
      const object = aiRequest(`proto-${key.toLowerCase()}`, 'fuzz', { team: 'engineering', models: ['gpt-5'], destinationSelector: { [key]: 'x' } });
      // WHEN it runs THEN it is provisioned like any other
      const run = await kratixRun({ type: 'resource', action: 'configure', object, litellmUrl: emulators[0]!.url, masterKey: emulators[0]!.masterKey, dir: join(root, `proto-${key}`) });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  });
});
