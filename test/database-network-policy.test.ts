import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { DatabaseNetworkPolicy, PATRONI_PORT } from '../constructs/database-network-policy.js';
import { LiteLLMGateway } from '../constructs/litellm-gateway.js';
import { PostgresClaim, type PostgresClaimProps } from '../constructs/postgres-claim.js';
import { RedisClaim } from '../constructs/redis-claim.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { TEST_CATALOG } from './support/test-catalog.js';

interface Options {
  readonly claim?: Partial<PostgresClaimProps>;
  readonly operatorNamespace?: string;
  /** Give the policy a database other than the gateway's (in this namespace). */
  readonly otherDatabaseNamespace?: string;
  readonly replicas?: number;
}

function policy(o: Options = {}) {
  const platform = Testing.chart();
  const database = new PostgresClaim(platform, 'database', { namespace: 'default', ...o.claim });
  const redis = (o.replicas ?? 1) > 1 ? new RedisClaim(platform, 'redis', { namespace: 'default' }) : undefined;
  const gateway = new LiteLLMGateway(platform, 'gateway', { catalog: TEST_CATALOG, database, redis, replicas: o.replicas, namespace: database.instanceNamespace });
  const gatewayPodLabels = Testing.synth(platform).find((o) => o.kind === 'Deployment').spec.template.metadata.labels;
  const policyDatabase = o.otherDatabaseNamespace
    ? new PostgresClaim(platform, 'other', { namespace: 'default', instanceNamespace: o.otherDatabaseNamespace })
    : database;
  const chart = Testing.chart();
  const construct = new DatabaseNetworkPolicy(chart, 'policy', { database: policyDatabase, gateway, operatorNamespace: o.operatorNamespace });
  const objects = Testing.synth(chart);
  return { chart, construct, objects, policy: objects[0], gatewayPodLabels };
}

const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: 'TCP' }));

describe('DatabaseNetworkPolicy', () => {
  it('synthesizes one valid NetworkPolicy', async () => {
    // GIVEN the default database request and gateway
    // WHEN the database policy is synthesized
    const { chart, objects } = policy();
    // THEN it is one NetworkPolicy, named after the Zalando cluster, that passes schema validation
    expect(validateWithKubernetesModels(objects)).toEqual(['NetworkPolicy/litellm-litellm-postgresql']);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/database-network-policy.yaml');
  });

  it("selects the Zalando cluster's Spilo pods in the instance namespace", () => {
    // GIVEN a database request for team ai named gw
    const { construct, policy: p } = policy({ claim: { teamId: 'ai', name: 'gw', namespace: 'platform' } });
    // THEN the policy selects the pods the operator labels with that cluster's name
    expect(construct.name).toBe('ai-gw-postgresql');
    expect(construct.namespace).toBe('platform');
    expect(p.metadata).toMatchObject({ name: 'ai-gw-postgresql', namespace: 'platform' });
    expect(p.spec.podSelector).toEqual({ matchLabels: { 'cluster-name': 'ai-gw-postgresql', application: 'spilo' } });
    expect(p.spec.policyTypes).toEqual(['Ingress']);
    expect(p.spec.egress).toBeUndefined();
  });

  it("also admits the migration Job's pods on 5432 when the gateway runs several replicas", () => {
    // GIVEN a three-replica gateway (which migrates the schema in a Job)
    const { policy: p } = policy({ replicas: 3 });
    // THEN the first rule admits the gateway's pods and the Job's, on 5432 only
    expect(p.spec.ingress[0]).toEqual({
      from: [
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': 'litellm' } } },
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm-migrations', 'app.kubernetes.io/instance': 'litellm' } } },
      ],
      ports: tcp(5432),
    });
  });

  it('admits the gateway on 5432 only, by the labels its pods carry', () => {
    const { policy: p, gatewayPodLabels } = policy();
    const [gatewayRule] = p.spec.ingress;
    expect(gatewayRule).toEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': 'litellm' } } }],
      ports: tcp(5432),
    });
    expect(gatewayPodLabels).toMatchObject(gatewayRule.from[0].podSelector.matchLabels);
  });

  it('lets the cluster members replicate and reach Patroni, and the backup job dump', () => {
    const { policy: p } = policy();
    expect(PATRONI_PORT).toBe(8008);
    expect(p.spec.ingress[1]).toEqual({
      from: [{ podSelector: { matchLabels: { 'cluster-name': 'litellm-litellm-postgresql', application: 'spilo' } } }],
      ports: tcp(5432, 8008),
    });
    expect(p.spec.ingress[2]).toEqual({
      from: [{ podSelector: { matchLabels: { 'cluster-name': 'litellm-litellm-postgresql', application: 'spilo-logical-backup' } } }],
      ports: tcp(5432),
    });
  });

  it("admits the operator's pods, by either label the operator is deployed with, from its namespace only", () => {
    // GIVEN an operator installed in postgres-system
    const { policy: p } = policy({ operatorNamespace: 'postgres-system' });
    // THEN both peers combine the namespace and the pod labels (one peer each: both must match)
    const namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': 'postgres-system' } };
    expect(p.spec.ingress[3]).toEqual({
      from: [
        { namespaceSelector, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres-operator' } } },
        { namespaceSelector, podSelector: { matchLabels: { name: 'postgres-operator' } } },
      ],
      ports: tcp(5432, 8008),
    });
    expect(p.spec.ingress).toHaveLength(4);
  });

  it("defaults the operator namespace to the PostgreSQL promise's, default", () => {
    const { policy: p } = policy();
    expect(p.spec.ingress[3].from.map((peer: any) => peer.namespaceSelector)).toEqual([
      { matchLabels: { 'kubernetes.io/metadata.name': 'default' } },
      { matchLabels: { 'kubernetes.io/metadata.name': 'default' } },
    ]);
  });

  it.each<[string, Options, string]>([
    ['an invalid operator namespace', { operatorNamespace: 'Postgres' }, "database network policy operatorNamespace 'Postgres' is not a namespace name (lowercase DNS label)"],
    ['an operator namespace over 63 characters', { operatorNamespace: 'p'.repeat(64) }, `database network policy operatorNamespace '${'p'.repeat(60)}... is longer than 63 characters`],
    [
      'a gateway outside the database namespace',
      { otherDatabaseNamespace: 'databases' },
      "database network policy: gateway namespace 'default' differs from the database's instance namespace 'databases': the policy admits the gateway from the database's namespace only",
    ],
  ])('rejects %s', (_what, options, message) => {
    // GIVEN an invalid prop
    // WHEN the policy is built
    // THEN construction fails with an error that quotes the value and says what is allowed
    expect(() => policy(options)).toThrow(message);
  });
});
