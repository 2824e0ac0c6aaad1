import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { requestSchema } from '../constructs/index.js';
import { admit } from './support/structural-schema.js';
import { EXTENDED_TEST_CATALOG, EXTRA_MODEL, EXTRA_TIER, TEST_CATALOG } from './support/test-catalog.js';

/** The original marketplace example request, as users have it today. */
const ORIGINAL_REQUEST = load(`
apiVersion: marketplace.kratix.io/v1alpha1
kind: ai
metadata:
  name: example
  namespace: default
spec:
  tier: small
  ui: true
  team: engineering
  models:
  - gpt-5
  - gemini-2.5-pro
`) as Record<string, any>;

function withSpec(spec: Record<string, unknown>) {
  return { ...ORIGINAL_REQUEST, spec };
}

describe('requestSchema', () => {
  const schema = requestSchema(TEST_CATALOG);

  it('accepts the original resource request unchanged', () => {
    const { errors, object } = admit(schema, ORIGINAL_REQUEST);
    expect(errors).toEqual([]);
    expect(object).toEqual(ORIGINAL_REQUEST);
  });

  it('applies the defaults: small tier, no UI', () => {
    const { errors, object } = admit(schema, withSpec({ team: 'engineering', models: ['gpt-5'] }));
    expect(errors).toEqual([]);
    expect((object as any).spec).toEqual({ team: 'engineering', models: ['gpt-5'], tier: 'small', ui: false });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['tier xl', { tier: 'xl', team: 'a', models: ['gpt-5'] }, 'spec.tier: Unsupported value: "xl"'],
    ['an unknown model', { team: 'a', models: ['gpt-2'] }, 'spec.models[0]: Unsupported value: "gpt-2"'],
    ['an empty models list', { team: 'a', models: [] }, 'spec.models: Invalid value: 0: spec.models in body should have at least 1 items'],
    ['a repeated model', { team: 'a', models: ['gpt-5', 'gpt-5'] }, 'spec.models[1]: Duplicate value: "gpt-5"'],
    ['an invalid team name', { team: 'Team A', models: ['gpt-5'] }, 'spec.team: Invalid value: "Team A": should match'],
    ['a missing team', { models: ['gpt-5'] }, 'spec.team: Required value'],
    ['missing models', { team: 'a' }, 'spec.models: Required value'],
    ['a non-boolean ui', { team: 'a', models: ['gpt-5'], ui: 'yes' }, 'spec.ui: Invalid value: "string"'],
  ])('rejects %s', (_, spec, error) => {
    const { errors } = admit(schema, withSpec(spec));
    expect(errors.join('\n')).toContain(error);
  });

  it('rejects a request without spec', () => {
    const { spec: _, ...noSpec } = ORIGINAL_REQUEST;
    expect(admit(schema, noSpec).errors).toEqual(['spec: Required value']);
  });

  it('follows the catalog: a registered tier and model become valid', () => {
    // GIVEN a catalog with an extra tier and an Ollama model
    const extended = withSpec({ tier: EXTRA_TIER.name, team: 'a', models: [EXTRA_MODEL.name] });
    // WHEN a request uses both
    const { errors } = admit(requestSchema(EXTENDED_TEST_CATALOG), extended);
    // THEN the generated schema accepts it, and the schema of the catalog without them does not
    expect(errors).toEqual([]);
    expect(admit(schema, extended).errors).toHaveLength(2);
  });
});
