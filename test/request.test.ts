import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_NAME, parseRequest } from '../pipeline/request.js';
import { TEST_CATALOG } from './support/test-catalog.js';
import { PipelineError } from '../pipeline/errors.js';

const BASE = {
  apiVersion: 'marketplace.kratix.io/v1alpha1',
  kind: 'ai',
  metadata: { name: 'example', namespace: 'default', uid: '6b1f3c1e-0000-4000-8000-000000000001' },
  spec: { tier: 'small', ui: true, team: 'engineering', models: ['gpt-5', 'gemini-2.5-pro'] },
};

function withSpec(spec: unknown) {
  return { ...BASE, spec };
}

describe('parseRequest', () => {
  it('reads the original example request', () => {
    expect(parseRequest(BASE, TEST_CATALOG)).toEqual({
      name: 'example',
      namespace: 'default',
      uid: '6b1f3c1e-0000-4000-8000-000000000001',
      tier: 'small',
      ui: true,
      team: 'engineering',
      models: ['gpt-5', 'gemini-2.5-pro'],
      rotation: { trigger: 0 },
    });
  });

  it('reads rotation settings and a destination selector', () => {
    const request = parseRequest(withSpec({ ...BASE.spec, rotation: { period: '7d', grace: '1d', trigger: 2 }, destinationSelector: { cluster: 'eu-1' } }), TEST_CATALOG);
    expect(request.rotation).toEqual({ period: '7d', grace: '1d', trigger: 2 });
    expect(request.destinationSelector).toEqual({ cluster: 'eu-1' });
  });

  it('applies the CRD defaults', () => {
    const request = parseRequest(withSpec({ team: 'engineering', models: ['gpt-5'] }), TEST_CATALOG);
    expect(request.tier).toBe('small');
    expect(request.ui).toBe(false);
  });

  it.each<[string, unknown, string]>([
    ['an unknown tier', withSpec({ ...BASE.spec, tier: 'xl' }), "spec.tier 'xl' is not one of small, medium, large"],
    ['an unknown model', withSpec({ ...BASE.spec, models: ['gpt-5', 'gpt-2'] }), "spec.models[1] 'gpt-2' is not one of gpt-5, gemini-2.5-pro, claude-opus-4"],
    ['empty models', withSpec({ ...BASE.spec, models: [] }), 'spec.models is empty: list at least one of gpt-5, gemini-2.5-pro, claude-opus-4'],
    ['a repeated model', withSpec({ ...BASE.spec, models: ['gpt-5', 'gpt-5'] }), "spec.models[1] 'gpt-5' is listed twice"],
    ['models not a list', withSpec({ ...BASE.spec, models: 'gpt-5' }), "spec.models 'gpt-5' is not a list"],
    ['a bad team name', withSpec({ ...BASE.spec, team: 'Data Science' }), "spec.team 'Data Science' is not a lowercase DNS label of at most 63 characters"],
    ['a missing team', withSpec({ models: ['gpt-5'] }), 'spec.team is missing: name the owning team'],
    ['missing models', withSpec({ team: 'a' }), 'spec.models is missing: list at least one model'],
    ['a string ui', withSpec({ ...BASE.spec, ui: 'true' }), "spec.ui 'true' is not true or false"],
    ['a missing spec', { ...BASE, spec: undefined }, 'spec is missing: a request needs at least spec.team and spec.models'],
    ['a list spec', withSpec([1]), 'spec [1] is not a mapping'],
    ['an overlong name', { ...BASE, metadata: { ...BASE.metadata, name: `a${'b'.repeat(53)}` } }, 'is 54 characters; at most 53 fit'],
    ['a bad name', { ...BASE, metadata: { ...BASE.metadata, name: '1-chat' } }, "metadata.name '1-chat' is not a DNS-1035 label"],
    ['a missing uid', { ...BASE, metadata: { name: 'example', namespace: 'default' } }, 'metadata.uid (not set) is not a Kubernetes uid'],
    ['another kind', { ...BASE, kind: 'postgresql' }, "kind 'postgresql' is not ai"],
    ['a scalar document', 'hello', "request 'hello' is not a YAML mapping"],
    ['a bad rotation period', withSpec({ ...BASE.spec, rotation: { period: '1 month' } }), "spec.rotation.period '1 month' is not a duration such as 90m, 12h or 30d"],
    ['a negative trigger', withSpec({ ...BASE.spec, rotation: { trigger: -1 } }), 'spec.rotation.trigger -1 is not an integer from 0 to 1000000000'],
    ['a bad selector value', withSpec({ ...BASE.spec, destinationSelector: { cluster: 'eu 1' } }), "spec.destinationSelector label 'cluster' value 'eu 1' is not a valid label value"],
    ['a bad selector key', withSpec({ ...BASE.spec, destinationSelector: { 'a b': 'x' } }), "spec.destinationSelector label key 'a b' is not a valid label key"],
  ])('rejects %s naming the field and value', (_, object, message) => {
    expect(() => parseRequest(object, TEST_CATALOG)).toThrow(message);
  });

  it('keeps hostile values short in messages', () => {
    let error: Error | undefined;
    try {
      parseRequest(withSpec({ ...BASE.spec, tier: 'x'.repeat(100_000) }), TEST_CATALOG);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message.length).toBeLessThan(200);
  });
});

/** A string of `length` characters that is a DNS label: starts with a letter, then digits. */
const label = (length: number) => `a${'1'.repeat(length - 1)}`;
const parse = (object: unknown) => parseRequest(object, TEST_CATALOG);
const withMetadata = (metadata: Record<string, unknown>) => ({ ...BASE, metadata: { ...BASE.metadata, ...metadata } });

describe('parseRequest boundaries (both sides of each bound)', () => {
  it('allows request names of up to 53 characters: <name>-openwebui must fit a 63-character Service name', () => {
    // GIVEN the Service name limit (a DNS-1035 label, 63 characters) minus '-openwebui' (10)
    expect(MAX_REQUEST_NAME).toBe(53);
    // THEN 53 characters pass and 54 fail, before anything else is read
    expect(parse(withMetadata({ name: label(53) })).name).toBe(label(53));
    expect(() => parse(withMetadata({ name: label(54) }))).toThrow(`metadata.name '${label(54)}' is 54 characters; at most 53 fit the names derived from it`);
  });

  it('allows namespaces of up to 63 characters', () => {
    expect(parse(withMetadata({ namespace: label(63) })).namespace).toBe(label(63));
    expect(() => parse(withMetadata({ namespace: label(64) }))).toThrow(/^metadata\.namespace 'a1+\.\.\. is not a namespace name$/);
    expect(() => parse(withMetadata({ namespace: 'Team-A' }))).toThrow("metadata.namespace 'Team-A' is not a namespace name");
    expect(() => parse(withMetadata({ namespace: 7 }))).toThrow('metadata.namespace 7 is not a namespace name');
  });

  it('allows uids of 1 to 64 characters of letters, digits and -', () => {
    expect(parse(withMetadata({ uid: 'x' })).uid).toBe('x');
    expect(parse(withMetadata({ uid: 'A'.repeat(64) })).uid).toBe('A'.repeat(64));
    for (const uid of ['', 'A'.repeat(65), 'uid with spaces', 'uid/1']) {
      expect(() => parse(withMetadata({ uid })), uid).toThrow(/^metadata\.uid '.*' is not a Kubernetes uid: the pipeline needs the object as Kratix passes it$|^metadata\.uid 'A+\.\.\. is not a Kubernetes uid/);
    }
  });

  it('allows teams of up to 63 characters', () => {
    expect(parse(withSpec({ ...BASE.spec, team: label(63) })).team).toBe(label(63));
    expect(() => parse(withSpec({ ...BASE.spec, team: label(64) }))).toThrow(/^spec\.team 'a1+\.\.\. is not a lowercase DNS label of at most 63 characters \(a-z, 0-9, -\)$/);
    expect(() => parse(withSpec({ ...BASE.spec, team: 42 }))).toThrow('spec.team 42 is not a lowercase DNS label');
    expect(() => parse(withSpec({ ...BASE.spec, team: null }))).toThrow('spec.team is missing: name the owning team');
  });

  it('allows rotation triggers from 0 to 1000000000, integers only', () => {
    const trigger = (value: unknown) => parse(withSpec({ ...BASE.spec, rotation: { trigger: value } })).rotation.trigger;
    expect(trigger(0)).toBe(0);
    expect(trigger(1_000_000_000)).toBe(1_000_000_000);
    for (const [bad, quoted] of [[-1, '-1'], [1_000_000_001, '1000000001'], [1.5, '1.5'], ['1', "'1'"], [true, 'true']] as const) {
      expect(() => trigger(bad), quoted).toThrow(`spec.rotation.trigger ${quoted} is not an integer from 0 to 1000000000`);
    }
  });

  it('allows destination selectors of up to 8 labels; an empty one means the platform default', () => {
    const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(parse(withSpec({ ...BASE.spec, destinationSelector: labels(8) })).destinationSelector).toEqual(labels(8));
    expect(() => parse(withSpec({ ...BASE.spec, destinationSelector: labels(9) }))).toThrow('spec.destinationSelector has 9 labels; at most 8 are allowed');
    expect('destinationSelector' in parse(withSpec({ ...BASE.spec, destinationSelector: {} }))).toBe(false);
    expect('destinationSelector' in parse(withSpec({ ...BASE.spec, destinationSelector: null }))).toBe(false);
    expect(() => parse(withSpec({ ...BASE.spec, destinationSelector: ['a'] }))).toThrow(`spec.destinationSelector ["a"] is not a map of labels`);
  });

  it('reads rotation period and grace, skipping absent ones and refusing non-durations', () => {
    expect(parse(withSpec({ ...BASE.spec, rotation: { period: '12h', grace: null } })).rotation).toEqual({ period: '12h', trigger: 0 });
    expect(parse(withSpec({ ...BASE.spec, rotation: { grace: '90m' } })).rotation).toEqual({ grace: '90m', trigger: 0 });
    expect(parse(withSpec({ ...BASE.spec, rotation: null })).rotation).toEqual({ trigger: 0 });
    expect(() => parse(withSpec({ ...BASE.spec, rotation: { grace: 3600 } }))).toThrow('spec.rotation.grace 3600 is not a duration such as 90m, 12h or 30d');
    expect(() => parse(withSpec({ ...BASE.spec, rotation: 'weekly' }))).toThrow("spec.rotation 'weekly' is not a mapping");
  });

  it('names the first bad thing about the document itself', () => {
    expect(() => parse(null)).toThrow('request null is not a YAML mapping');
    expect(() => parse([BASE])).toThrow('is not a YAML mapping');
    expect(() => parse({ ...BASE, apiVersion: 'marketplace.kratix.io/v1' })).toThrow("apiVersion 'marketplace.kratix.io/v1' is not marketplace.kratix.io/v1alpha1");
    expect(() => parse({ ...BASE, metadata: 'example' })).toThrow('metadata is missing');
    expect(() => parse(withMetadata({ name: 42 }))).toThrow('metadata.name 42 is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)');
    expect(() => parse({ ...BASE, spec: null })).toThrow('spec is missing');
    expect(() => parse(withSpec({ ...BASE.spec, tier: 3 }))).toThrow('spec.tier 3 is not one of small, medium, large');
    expect(() => parse(withSpec({ ...BASE.spec, models: null }))).toThrow('spec.models is missing');
    expect(() => parse(withSpec({ ...BASE.spec, models: ['gpt-5', 5] }))).toThrow('spec.models[1] 5 is not one of gpt-5, gemini-2.5-pro, claude-opus-4');
    expect(() => parse(withSpec({ ...BASE.spec, ui: null }))).not.toThrow();
  });

  it('fails with a PipelineError, the error the pipeline reports in one line', () => {
    expect(() => parse(withSpec({ ...BASE.spec, tier: 'xl' }))).toThrow(PipelineError);
    expect(() => parse(withSpec({ ...BASE.spec, destinationSelector: { 'a b': 'x' } }))).toThrow(PipelineError);
  });

  it('returns the selector labels as given', () => {
    expect(parse(withSpec({ ...BASE.spec, destinationSelector: { 'example.com/zone': 'eu-1' } })).destinationSelector).toEqual({ 'example.com/zone': 'eu-1' });
  });
});

describe('parseRequest on values that only look right once turned into text', () => {
  // A pattern tests String(value): ['example'] reads as 'example'. Only strings may pass.
  it('refuses a list as the name or as a rotation duration', () => {
    expect(() => parse(withMetadata({ name: ['example'] }))).toThrow('metadata.name ["example"] is not a DNS-1035 label');
    expect(() => parse(withSpec({ ...BASE.spec, rotation: { period: ['12h'] } }))).toThrow('spec.rotation.period ["12h"] is not a duration such as 90m, 12h or 30d');
  });
});
