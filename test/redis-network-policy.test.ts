import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { LiteLLMGateway } from '../constructs/litellm-gateway.js';
import { PostgresClaim } from '../constructs/postgres-claim.js';
import { RedisClaim } from '../constructs/redis-claim.js';
import { RedisNetworkPolicy } from '../constructs/redis-network-policy.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { TEST_CATALOG } from './support/test-catalog.js';

function policy(o: { gatewayNamespace?: string; operatorNamespace?: string } = {}) {
  const platform = Testing.chart();
  const namespace = o.gatewayNamespace ?? 'ai-platform';
  const database = new PostgresClaim(platform, 'database', { namespace });
  const redis = new RedisClaim(platform, 'redis', { namespace });
  const gateway = new LiteLLMGateway(platform, 'gateway', { catalog: TEST_CATALOG, database, redis, replicas: 3, namespace });
  const gatewayPodLabels = Testing.synth(platform).find((x) => x.kind === 'Deployment').spec.template.metadata.labels;
  const chart = Testing.chart();
  const construct = new RedisNetworkPolicy(chart, 'policy', { redis, gateway, operatorNamespace: o.operatorNamespace });
  const objects = Testing.synth(chart);
  return { chart, construct, objects, policy: objects[0], gatewayPodLabels };
}

const ports = [
  { port: 6379, protocol: 'TCP' },
  { port: 26379, protocol: 'TCP' },
];

describe('RedisNetworkPolicy', () => {
  it('synthesizes one valid NetworkPolicy where the Redis promise runs the failover', async () => {
    // GIVEN a gateway in ai-platform with its Redis
    // WHEN the Redis policy is synthesized
    const { chart, objects, construct } = policy();
    // THEN it is one NetworkPolicy in default (where the promise always puts the failover)
    expect(validateWithKubernetesModels(objects)).toEqual(['NetworkPolicy/litellm-redis']);
    expect(construct.namespace).toBe('default');
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/redis-network-policy.yaml');
  });

  it('selects every Redis and Sentinel pod of the failover, for ingress only', () => {
    const { policy: p } = policy();
    expect(p.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'litellm-redis', 'app.kubernetes.io/part-of': 'redis-failover' } });
    expect(p.spec.policyTypes).toEqual(['Ingress']);
  });

  it("admits the gateway's pods from the gateway's namespace, the failover's own pods and the operator, on 6379 and 26379 only", () => {
    const { policy: p, gatewayPodLabels } = policy({ operatorNamespace: 'redis-operator' });
    const [gatewayRule, peersRule, operatorRule] = p.spec.ingress;
    expect(p.spec.ingress).toHaveLength(3);
    // THEN the gateway is admitted by its namespace AND its pod labels in one peer
    expect(gatewayRule).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai-platform' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': 'litellm' } },
        },
      ],
      ports,
    });
    expect(gatewayPodLabels).toMatchObject(gatewayRule.from[0].podSelector.matchLabels);
    expect(peersRule).toEqual({ from: [{ podSelector: { matchLabels: p.spec.podSelector.matchLabels } }], ports });
    expect(operatorRule).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'redis-operator' } }, podSelector: { matchLabels: { app: 'redisoperator' } } }],
      ports,
    });
  });

  it('does not admit the migration Job, which never talks to Redis', () => {
    const { policy: p } = policy();
    expect(JSON.stringify(p.spec.ingress)).not.toContain('litellm-migrations');
  });

  it('rejects an invalid operator namespace', () => {
    expect(() => policy({ operatorNamespace: 'Redis' })).toThrow("redis network policy operatorNamespace 'Redis' is not a namespace name (lowercase DNS label)");
  });
});
