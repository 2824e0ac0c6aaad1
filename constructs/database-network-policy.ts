import { k8s } from './k8s.js';
import { Construct } from 'constructs';
import { deploymentFacts } from './deployment-facts.js';
import type { LiteLLMGateway } from './litellm-gateway.js';
import { PostgresClaim } from './postgres-claim.js';
import { MANAGED_BY } from './team-tier.js';
import { DNS_LABEL, quote, requireMatch } from './validation.js';

export interface DatabaseNetworkPolicyProps {
  /** The database request; the policy selects the pods the Zalando operator runs for it. */
  readonly database: PostgresClaim;
  /** The only application allowed to connect; it must run in the database's namespace. */
  readonly gateway: LiteLLMGateway;
  /**
   * Namespace of the Zalando postgres-operator.
   * @default 'default' (where the PostgreSQL promise installs it)
   */
  readonly operatorNamespace?: string;
}

/** Patroni's REST API on every Spilo pod: leader election, health, and the operator's switchovers. */
export const PATRONI_PORT = 8008;

/**
 * The Zalando operator labels every pod of a cluster with `cluster_name_label` (`cluster-name`)
 * and `cluster_labels` (`application: spilo`), the PostgreSQL promise's operator configuration
 * keeping both defaults; its logical-backup Job pods carry `application: spilo-logical-backup`.
 */
const CLUSTER_NAME_LABEL = 'cluster-name';
const SPILO = 'spilo';
const LOGICAL_BACKUP = 'spilo-logical-backup';
/**
 * Operator pod labels: the Helm chart (which the PostgreSQL promise renders its operator from)
 * sets `app.kubernetes.io/name`; Zalando's plain manifest (manifests/postgres-operator.yaml) sets
 * `name`. Either one identifies the operator, so both are admitted.
 */
const OPERATOR_POD_LABELS: readonly Readonly<Record<string, string>>[] = [
  { 'app.kubernetes.io/name': 'postgres-operator' },
  { name: 'postgres-operator' },
];
/** Set by Kubernetes (1.22+) on every namespace: selects a namespace by name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Ingress to the gateway's PostgreSQL pods. Allowed, each on the ports it needs only:
 * - the gateway's pods: 5432 (the only application of this database), and above one replica its
 *   migration Job's pods (they apply the schema);
 * - the cluster's own Spilo pods: 5432 (streaming replication, basebackup, pg_rewind) and 8008
 *   (Patroni members query each other's API during leader races);
 * - the cluster's logical-backup Job pods: 5432 (pg_dumpall; present only with backups on);
 * - the postgres-operator's pods: 5432 (it creates roles and databases through the master
 *   Service) and 8008 (member status, switchovers and config changes through Patroni).
 * Kubelet probes come from the node, which NetworkPolicies never block. Egress is not restricted:
 * Patroni keeps its leader lock through the Kubernetes API and backups go to object storage.
 * Pods the operator adds only when asked (a connection pooler, sidecars) are not admitted.
 */
export class DatabaseNetworkPolicy extends Construct {
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: DatabaseNetworkPolicyProps) {
    super(scope, id);
    const { database, gateway } = props;
    const operatorNamespace = props.operatorNamespace ?? 'default';
    requireMatch('database network policy operatorNamespace', operatorNamespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    if (operatorNamespace.length > 63) throw new Error(`database network policy operatorNamespace ${quote(operatorNamespace)} is longer than 63 characters`);
    const gatewayPods = deploymentFacts(gateway, 'database network policy');
    // A peer without a namespaceSelector means "in the policy's namespace": the gateway must be there.
    if (gatewayPods.namespace !== database.instanceNamespace) {
      throw new Error(
        `database network policy: gateway namespace ${quote(gatewayPods.namespace)} differs from the database's instance namespace ` +
          `${quote(database.instanceNamespace)}: the policy admits the gateway from the database's namespace only`,
      );
    }
    this.name = database.instanceName;
    this.namespace = database.instanceNamespace;

    const spiloPods = { [CLUSTER_NAME_LABEL]: database.instanceName, application: SPILO };
    const tcp = (...ports: number[]): k8s.NetworkPolicyPort[] => ports.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }));
    const operatorNamespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: operatorNamespace } };

    new k8s.KubeNetworkPolicy(this, 'Policy', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': database.instanceName, 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      spec: {
        podSelector: { matchLabels: spiloPods },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: gatewayPods.podSelector } },
              ...(gateway.migrationPodSelector !== undefined ? [{ podSelector: { matchLabels: { ...gateway.migrationPodSelector } } }] : []),
            ],
            ports: tcp(PostgresClaim.PORT),
          },
          { from: [{ podSelector: { matchLabels: spiloPods } }], ports: tcp(PostgresClaim.PORT, PATRONI_PORT) },
          {
            from: [{ podSelector: { matchLabels: { [CLUSTER_NAME_LABEL]: database.instanceName, application: LOGICAL_BACKUP } } }],
            ports: tcp(PostgresClaim.PORT),
          },
          {
            // Namespace and pod selector in one peer: operator pods in that namespace, nothing else.
            from: OPERATOR_POD_LABELS.map((labels) => ({ namespaceSelector: operatorNamespaceSelector, podSelector: { matchLabels: { ...labels } } })),
            ports: tcp(PostgresClaim.PORT, PATRONI_PORT),
          },
        ],
      },
    });
  }
}
