import { Ajv } from 'ajv';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { requestJsonSchema } from '../constructs/index.js';
import { EXTENDED_TEST_CATALOG, EXTRA_MODEL, EXTRA_TIER, TEST_CATALOG } from './support/test-catalog.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validatorFor = (schema: object) => {
  const validate = ajv.compile(schema);
  return (request: unknown) => (validate(request) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`));
};

const REQUEST = load(`
apiVersion: marketplace.kratix.io/v1alpha1
kind: ai
metadata:
  name: example
  namespace: default
spec:
  tier: small
  ui: true
  team: engineering
  models: [gpt-5, gemini-2.5-pro]
`) as Record<string, any>;
const withSpec = (spec: Record<string, unknown>) => ({ ...REQUEST, spec: { ...REQUEST.spec, ...spec } });

describe('requestJsonSchema', () => {
  const validate = validatorFor(requestJsonSchema(TEST_CATALOG));

  it('accepts the original example request and one using every optional field', () => {
    expect(validate(REQUEST)).toEqual([]);
    expect(validate(withSpec({ rotation: { period: '7d', grace: '1d', trigger: 3 }, destinationSelector: { 'topology.kubernetes.io/region': 'eu-1' } }))).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown tier', withSpec({ tier: 'huge' }), '/spec/tier must be equal to one of the allowed values'],
    ['an unknown model', withSpec({ models: ['gpt-2'] }), '/spec/models/0 must be equal to one of the allowed values'],
    ['a repeated model', withSpec({ models: ['gpt-5', 'gpt-5'] }), '/spec/models must NOT have duplicate items'],
    ['a misspelt field', withSpec({ modles: ['gpt-5'] }), '/spec must NOT have additional properties'],
    ['a rotation period in months', withSpec({ rotation: { period: '1mo' } }), '/spec/rotation/period must match pattern'],
    ['a selector key with a space', withSpec({ destinationSelector: { 'a b': 'x' } }), '/spec/destinationSelector property name must be valid'],
    ['another kind', { ...REQUEST, kind: 'AI' }, '/kind must be equal to constant'],
    ['a name the pipeline refuses', { ...REQUEST, metadata: { name: 'x'.repeat(54) } }, '/metadata/name must NOT have more than 53 characters'],
  ])('rejects %s', (_, request, message) => {
    expect(validate(request).join('\n')).toContain(message);
  });

  it("follows the catalog: tiers, models and each tier's numbers and rotation", () => {
    const schema = requestJsonSchema(EXTENDED_TEST_CATALOG) as any;
    const extended = withSpec({ tier: EXTRA_TIER.name, models: [EXTRA_MODEL.name] });
    expect(validatorFor(schema)(extended)).toEqual([]);
    expect(validate(extended)).toHaveLength(2);
    expect(schema.properties.spec.properties.tier.description).toContain(`${EXTRA_TIER.name}: 6000 requests/min, 3000000 tokens/min, $5000 per 30d, new key every 7d (1d grace)`);
  });
});
