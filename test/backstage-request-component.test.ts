import { Testing } from 'cdk8s';
import { dump } from 'js-yaml';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackstageRequestComponent, type BackstageRequestComponentProps, entityName, entityNamespace } from '../constructs/index.js';
import { MAX_REQUEST_NAME } from '../pipeline/request.js';
import { entityErrors, validName, validNamespace } from './support/backstage-rules.js';
import { TEST_CATALOG } from './support/test-catalog.js';

const BASE: BackstageRequestComponentProps = {
  requestName: 'example',
  requestNamespace: 'team-a',
  team: 'engineering',
  tier: TEST_CATALOG.tier('small'),
  models: ['gpt-5', 'gemini-2.5-pro'],
  gatewayUrl: 'https://ai.example.com',
  secretName: 'example-litellm-key',
  uiUrl: 'http://example-openwebui.team-a.svc.cluster.local',
};

function component(overrides: Partial<BackstageRequestComponentProps> = {}) {
  const chart = Testing.chart();
  const construct = new BackstageRequestComponent(chart, 'backstage', { ...BASE, ...overrides });
  const [entity] = Testing.synth(chart);
  return { construct, entity: entity! };
}

/** Lowercase DNS labels as Kubernetes accepts them, hyphen runs included. */
const dnsLabel = (max: number, firstLetter = false) =>
  fc
    .tuple(
      fc.constantFrom(...(firstLetter ? 'abcdefghijklmnopqrstuvwxyz' : 'abcdefghijklmnopqrstuvwxyz0123456789').split('')),
      fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split('')), maxLength: max - 2 }),
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')),
    )
    .map(([a, b, c]) => `${a}${b}${c}`)
    .filter((s) => s.length <= max);

describe('BackstageRequestComponent', () => {
  it("is a Component owned by the request's team, with its endpoints, tier, limits and Kubernetes annotations", async () => {
    // GIVEN a small-tier request with a UI
    const { construct, entity } = component();
    // THEN Backstage accepts it
    expect(entityErrors(entity)).toEqual([]);
    expect(construct.entityRef).toBe('component:team-a/example');
    expect(entity.metadata).toMatchObject({ name: 'example', namespace: 'team-a', labels: { 'ai.kratix.io/tier': 'small' } });
    expect(entity.spec).toEqual({ type: 'service', lifecycle: 'production', owner: 'group:default/engineering', dependsOn: ['component:default/ai'] });
    // AND it links the API and the UI
    expect(entity.metadata.links).toEqual([
      { url: 'https://ai.example.com/v1', title: 'OpenAI-compatible API' },
      { url: 'http://example-openwebui.team-a.svc.cluster.local', title: 'Open WebUI', icon: 'chat' },
    ]);
    // AND the Kubernetes plugin finds the request's objects by the labels they all carry
    expect(entity.metadata.annotations).toMatchObject({
      'backstage.io/kubernetes-label-selector': 'app.kubernetes.io/managed-by=kratix-ai-promise,app.kubernetes.io/instance=example',
      'backstage.io/kubernetes-namespace': 'team-a',
      'ai.kratix.io/tier': 'small',
      'ai.kratix.io/limits': '60 rpm, 30000 tpm, $10 per 1d',
      'ai.kratix.io/models': 'gpt-5,gemini-2.5-pro',
    });
    await expect(dump(entity, { noRefs: true, lineWidth: -1 })).toMatchFileSnapshot('__snapshots__/backstage-request-component.yaml');
  });

  it('links only the API without a UI', () => {
    const { entity } = component({ uiUrl: undefined });
    expect(entity.metadata.links).toEqual([{ url: 'https://ai.example.com/v1', title: 'OpenAI-compatible API' }]);
  });

  it('keeps names Backstage accepts unchanged, and fixes the ones it refuses', () => {
    expect(entityName('example')).toBe('example');
    expect(entityNamespace('team-a')).toBe('team-a');
    // Kubernetes allows a hyphen run, Backstage does not: collapse it, and tell it apart from `a-b`.
    expect(entityName('a--b')).toMatch(/^a-b-[0-9a-f]{8}$/);
    expect(entityName('a--b')).not.toBe(entityName('a-b'));
    expect(entityNamespace('team--a')).toMatch(/^team-a-[0-9a-f]{8}$/);
  });

  it('is valid in Backstage for any valid request, and two requests never share a name', () => {
    // GIVEN any name, namespace, team and tier the CRD and the pipeline accept
    fc.assert(
      fc.property(dnsLabel(MAX_REQUEST_NAME, true), dnsLabel(MAX_REQUEST_NAME, true), dnsLabel(63), dnsLabel(63), dnsLabel(63), (name, other, namespace, team, tier) => {
        const { entity } = component({ requestName: name, requestNamespace: namespace, team, tier: { ...BASE.tier, name: tier } });
        // THEN the Component keeps Backstage's rules
        expect(entityErrors(entity)).toEqual([]);
        expect(validName(entity.metadata.name) && validNamespace(entity.metadata.namespace)).toBe(true);
        // AND a different request in the same namespace gets a different entity
        if (other !== name) expect(entityName(other)).not.toBe(entityName(name));
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, Partial<BackstageRequestComponentProps>, string]>([
    ['a bad namespace', { requestNamespace: 'Team_A' }, "backstage request namespace 'Team_A' is not a namespace name"],
    ['a bad team', { team: 'Data Science' }, "backstage team 'Data Science' is not a lowercase DNS label"],
  ])('rejects %s', (_, overrides, message) => {
    expect(() => component(overrides)).toThrow(message);
  });
});
