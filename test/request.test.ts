import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_NAME, parseRequest } from '../pipeline/request.js';
import { TEST_CATALOG } from './support/test-catalog.js';

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
    ['an overlong name', { ...BASE, metadata: { ...BASE.metadata, name: `a${'b'.repeat(MAX_REQUEST_NAME)}` } }, `is ${MAX_REQUEST_NAME + 1} characters; at most ${MAX_REQUEST_NAME} fit`],
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
