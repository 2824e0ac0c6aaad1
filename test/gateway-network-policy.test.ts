import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { GatewayNetworkPolicy, type GatewayNetworkPolicyProps } from '../constructs/gateway-network-policy.js';
import { LiteLLMGateway } from '../constructs/litellm-gateway.js';
import { PostgresClaim } from '../constructs/postgres-claim.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { TEST_CATALOG } from './support/test-catalog.js';

function policy(overrides: Partial<Omit<GatewayNetworkPolicyProps, 'gateway'>> = {}, gatewayName = 'litellm', namespace = 'ai-platform') {
  const gatewayChart = Testing.chart();
  const database = new PostgresClaim(gatewayChart, 'database', { namespace });
  const gateway = new LiteLLMGateway(gatewayChart, 'gateway', { catalog: TEST_CATALOG, database, namespace, name: gatewayName });
  const gatewayDeployment = Testing.synth(gatewayChart).find((o) => o.kind === 'Deployment');
  // The policy in a chart of its own, as the pipeline renders it: only its object is synthesized.
  const chart = Testing.chart();
  const construct = new GatewayNetworkPolicy(chart, 'policy', { gateway, ...overrides });
  const objects = Testing.synth(chart);
  return { chart, construct, objects, policy: objects[0], gatewayDeployment };
}

describe('GatewayNetworkPolicy', () => {
  it('synthesizes one valid NetworkPolicy', async () => {
    // GIVEN the default gateway
    // WHEN its policy is synthesized
    const { chart, objects } = policy();
    // THEN it is one NetworkPolicy that passes schema validation
    expect(validateWithKubernetesModels(objects)).toEqual(['NetworkPolicy/litellm']);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/gateway-network-policy.yaml');
  });

  it("selects exactly the gateway's pods, named and placed like the gateway", () => {
    // GIVEN a gateway called ai-gw
    const { construct, policy: p, gatewayDeployment } = policy({}, 'ai-gw');
    // THEN the policy selects the Deployment's pods by its own selector, which its pods carry
    expect(p.metadata).toMatchObject({ name: 'ai-gw', namespace: 'ai-platform' });
    expect(construct.name).toBe('ai-gw');
    expect(construct.namespace).toBe('ai-platform');
    expect(p.spec.podSelector).toEqual({ matchLabels: gatewayDeployment.spec.selector.matchLabels });
    expect(gatewayDeployment.spec.template.metadata.labels).toMatchObject(p.spec.podSelector.matchLabels);
  });

  it('admits only TCP 4000, from every namespace by default, and leaves egress alone', () => {
    // GIVEN no client namespace selector
    const { policy: p } = policy();
    // THEN one ingress rule opens the service port to pods of any namespace
    expect(p.spec.policyTypes).toEqual(['Ingress']);
    expect(p.spec.ingress).toEqual([{ from: [{ namespaceSelector: {} }], ports: [{ port: 4000, protocol: 'TCP' }] }]);
    expect(p.spec.egress).toBeUndefined();
  });

  it('narrows the callers to the namespaces the platform labels, and keeps the platform namespace where the pipelines run', () => {
    // GIVEN a platform that admits only namespaces labelled ai-access=granted
    const { policy: p } = policy({ clientNamespaces: { 'ai-access': 'granted' } });
    // THEN the rule admits those namespaces and the pods of the policy's own namespace, on the same port
    expect(p.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'ai-access': 'granted' } } }, { podSelector: {} }], ports: [{ port: 4000, protocol: 'TCP' }] },
    ]);
  });

  it.each<[string, Record<string, string>, string]>([
    ['an empty selector', {}, 'gateway network policy clientNamespaces {} is not a non-empty map of labels'],
    ['a bad label key', { 'bad key': 'x' }, "gateway network policy clientNamespaces label key 'bad key' is not a valid label key"],
    ['a bad label value', { team: 'a b' }, "gateway network policy clientNamespaces label 'team' value 'a b' is not a valid label value"],
  ])('rejects %s', (_what, clientNamespaces, message) => {
    // GIVEN an invalid namespace selector
    // WHEN the policy is built
    // THEN construction fails with an error that quotes the value and says what is allowed
    expect(() => policy({ clientNamespaces })).toThrow(message);
  });
});
