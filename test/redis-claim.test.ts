import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { RedisClaim, type RedisClaimProps } from '../constructs/redis-claim.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';

function claim(props: RedisClaimProps) {
  const chart = Testing.chart();
  const construct = new RedisClaim(chart, 'redis', props);
  return { chart, construct, objects: Testing.synth(chart) };
}

describe('RedisClaim', () => {
  it('requests a large Redis from the marketplace promise with every spec field explicit', async () => {
    // GIVEN only the namespace
    // WHEN the claim is synthesized
    const { chart, objects } = claim({ namespace: 'default' });

    // THEN it is one Redis promise request, large (the promise's own default is small)
    expect(objects).toEqual([
      {
        apiVersion: 'marketplace.kratix.io/v1alpha1',
        kind: 'redis',
        metadata: { name: 'litellm-redis', namespace: 'default' },
        spec: { size: 'large' },
      },
    ]);
    // AND it is a custom resource, which kubernetes-models does not cover
    expect(validateWithKubernetesModels(objects)).toEqual([]);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/redis-claim.yaml');
  });

  it('derives the Sentinel Service, master name and pod labels the Spotahome operator creates', () => {
    // GIVEN a request named ai-redis in namespace platform
    const { construct } = claim({ namespace: 'platform', name: 'ai-redis', size: 'small' });

    // THEN the failover runs in default whatever the request namespace, reached through Sentinel
    expect(construct.instanceNamespace).toBe('default');
    expect(construct.sentinelHost).toBe('rfs-ai-redis.default.svc.cluster.local');
    expect(construct.sentinelPort).toBe(26379);
    expect(construct.masterName).toBe('mymaster');
    expect(construct.podLabels).toEqual({ 'app.kubernetes.io/name': 'ai-redis', 'app.kubernetes.io/part-of': 'redis-failover' });
    expect(construct.size).toBe('small');
  });

  it('accepts a name of exactly 48 characters', () => {
    expect(claim({ namespace: 'default', name: `r${'e'.repeat(47)}` }).construct.name).toHaveLength(48);
  });

  it.each<[string, Partial<RedisClaimProps>, string]>([
    ['an invalid namespace', { namespace: 'Default' }, "redis claim namespace 'Default' is not a namespace name (lowercase DNS label)"],
    [
      'a name starting with a digit',
      { name: '1redis' },
      "redis claim name '1redis' is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)",
    ],
    [
      'a name over 48 characters',
      { name: `r${'e'.repeat(48)}` },
      `redis claim name 'r${'e'.repeat(48)}' is longer than 48 characters: the operator's StatefulSet rfr-<name> must fit pod labels`,
    ],
    ['an unknown size', { size: 'medium' as 'small' }, "redis claim size 'medium' is not one of small, large"],
  ])('rejects %s', (_what, override, message) => {
    // GIVEN an invalid prop
    // WHEN the claim is built
    // THEN construction fails with an error that quotes the value and says what is allowed
    expect(() => claim({ namespace: 'default', ...override })).toThrow(message);
  });
});
