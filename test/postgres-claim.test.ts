import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { PostgresClaim, type PostgresClaimProps } from '../constructs/postgres-claim.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';

function claim(props: PostgresClaimProps) {
  const chart = Testing.chart();
  const construct = new PostgresClaim(chart, 'database', props);
  return { chart, construct, objects: Testing.synth(chart) };
}

describe('PostgresClaim', () => {
  it('requests the original promise database with every spec field explicit', async () => {
    // GIVEN only the namespace
    // WHEN the claim is synthesized
    const { chart, objects } = claim({ namespace: 'default' });

    // THEN it is one PostgreSQL promise request with our defaults, not the promise's (acid/postgres)
    expect(objects).toEqual([
      {
        apiVersion: 'marketplace.kratix.io/v1alpha2',
        kind: 'postgresql',
        metadata: { name: 'litellm', namespace: 'default' },
        spec: { env: 'dev', teamId: 'litellm', dbName: 'litellm', namespace: 'default', backupEnabled: false },
      },
    ]);
    // AND it is a custom resource, which kubernetes-models does not cover
    expect(validateWithKubernetesModels(objects)).toEqual([]);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/postgres-claim.yaml');
  });

  it('derives the Zalando instance, Secret and host names', () => {
    // GIVEN the defaults in namespace default
    // WHEN the claim is built
    const { construct } = claim({ namespace: 'default' });

    // THEN the names match what the operator creates for request default/litellm
    expect(construct.instanceName).toBe('litellm-litellm-postgresql');
    expect(construct.credentialsSecretName).toBe('litellm.litellm-litellm-postgresql.credentials.postgresql.acid.zalan.do');
    expect(construct.host).toBe('litellm-litellm-postgresql.default.svc.cluster.local');
    expect(construct.port).toBe(5432);
    expect(construct.dbName).toBe('litellm');
    expect(construct.instanceNamespace).toBe('default');
  });

  it('passes every prop through and places the instance in instanceNamespace', () => {
    // GIVEN every prop set
    // WHEN the claim is built
    const { construct, objects } = claim({
      namespace: 'platform',
      name: 'gateway',
      teamId: 'ai',
      dbName: 'proxy_db',
      env: 'prod',
      backupEnabled: true,
      instanceNamespace: 'databases',
    });

    // THEN the request lives in namespace, the instance in instanceNamespace
    expect(objects[0].metadata).toEqual({ name: 'gateway', namespace: 'platform' });
    expect(objects[0].spec).toEqual({ env: 'prod', teamId: 'ai', dbName: 'proxy_db', namespace: 'databases', backupEnabled: true });
    // AND the Secret is the owner role's (teamId), not the postgres superuser's
    expect(construct.credentialsSecretName).toBe('ai.ai-gateway-postgresql.credentials.postgresql.acid.zalan.do');
    expect(construct.host).toBe('ai-gateway-postgresql.databases.svc.cluster.local');
    expect(construct.instanceNamespace).toBe('databases');
    expect(construct.dbName).toBe('proxy_db');
  });

  it('accepts an instance name of exactly 63 characters', () => {
    // GIVEN teamId + name + '-postgresql' adding up to 63 characters
    const name = 'n'.repeat(63 - 'team-'.length - '-postgresql'.length);
    // WHEN the claim is built
    const { construct } = claim({ namespace: 'default', teamId: 'team', name });
    // THEN the instance name is at the limit
    expect(construct.instanceName).toHaveLength(63);
  });

  it.each<[string, Partial<PostgresClaimProps>, string]>([
    ['an invalid namespace', { namespace: 'Default' }, "postgres claim namespace 'Default' is not a namespace name (lowercase DNS label)"],
    ['an invalid name', { name: 'LiteLLM' }, "postgres claim name 'LiteLLM' is not a lowercase DNS label"],
    ['a name with a dot', { name: 'lite.llm' }, "postgres claim name 'lite.llm' is not a lowercase DNS label"],
    [
      'a teamId starting with a digit',
      { teamId: '1team' },
      "postgres claim teamId '1team' is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)",
    ],
    [
      'a dbName with a dash',
      { dbName: 'lite-llm' },
      "postgres claim dbName 'lite-llm' is not a PostgreSQL database name (lowercase letters, digits and _, starting with a letter or _, at most 63 characters)",
    ],
    [
      'an invalid instanceNamespace',
      { instanceNamespace: 'db_ns' },
      "postgres claim instanceNamespace 'db_ns' is not a namespace name (lowercase DNS label)",
    ],
    ['an unknown env', { env: 'staging' as 'dev' }, "postgres claim env 'staging' is not one of dev, prod"],
    [
      'an instance name over 63 characters',
      { teamId: 'team', name: 'n'.repeat(48) },
      `postgres claim teamId 'team' and name '${'n'.repeat(48)}' make an instance name of 64 characters: <teamId>-<name>-postgresql must be at most 63, it is a Service name`,
    ],
    ['a name over 63 characters', { name: 'n'.repeat(64) }, `postgres claim name '${'n'.repeat(60)}... is longer than 63 characters`],
  ])('rejects %s', (_what, override, message) => {
    // GIVEN an invalid prop
    // WHEN the claim is built
    // THEN construction fails with an error that quotes the value and says what is allowed
    expect(() => claim({ namespace: 'default', ...override })).toThrow(message);
  });
});
