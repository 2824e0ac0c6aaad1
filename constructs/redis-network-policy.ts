import { k8s } from './k8s.js';
import { Construct } from 'constructs';
import type { LiteLLMGateway } from './litellm-gateway.js';
import { RedisClaim } from './redis-claim.js';
import { MANAGED_BY } from './team-tier.js';
import { DNS_LABEL, quote, requireMatch } from './validation.js';

export interface RedisNetworkPolicyProps {
  /** The Redis request; the policy selects the Redis and Sentinel pods its operator runs. */
  readonly redis: RedisClaim;
  /** The only application allowed to connect, from whatever namespace it runs in. */
  readonly gateway: LiteLLMGateway;
  /**
   * Namespace of the Spotahome redis-operator.
   * @default 'default' (where the Redis promise installs it)
   */
  readonly operatorNamespace?: string;
}

/** The operator's pods, as the Redis promise deploys it (redis/.../dependencies/all-redis-operator-resources.yaml). */
const OPERATOR_POD_LABELS = { app: 'redisoperator' } as const;
/** Set by Kubernetes (1.22+) on every namespace: selects a namespace by name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Ingress to the gateway's Redis failover. The Redis promise's Redis has no password, so this policy
 * is its only access control: without it any pod in the cluster could read or reset every team's
 * counters. Allowed, on 6379 (Redis) and 26379 (Sentinel) only:
 * - the gateway's pods (it asks a Sentinel for the master, then talks to the master);
 * - the failover's own Redis and Sentinel pods (replication, Sentinels watching Redis and each other);
 * - the redis-operator (it configures Redis and Sentinel and checks them).
 * Kubelet probes come from the node, which NetworkPolicies never block. Egress is not restricted.
 */
export class RedisNetworkPolicy extends Construct {
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: RedisNetworkPolicyProps) {
    super(scope, id);
    const { redis, gateway } = props;
    const operatorNamespace = props.operatorNamespace ?? 'default';
    requireMatch('redis network policy operatorNamespace', operatorNamespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    if (operatorNamespace.length > 63) throw new Error(`redis network policy operatorNamespace ${quote(operatorNamespace)} is longer than 63 characters`);
    this.name = redis.name;
    this.namespace = redis.instanceNamespace;

    const ports: k8s.NetworkPolicyPort[] = [RedisClaim.REDIS_PORT, RedisClaim.SENTINEL_PORT].map((port) => ({
      port: k8s.IntOrString.fromNumber(port),
      protocol: 'TCP',
    }));
    const inNamespace = (namespace: string) => ({ matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } });

    new k8s.KubeNetworkPolicy(this, 'Policy', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': redis.name, 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      spec: {
        podSelector: { matchLabels: { ...redis.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          // Namespace and pod selector in one peer: the gateway's pods in its namespace, nothing else.
          { from: [{ namespaceSelector: inNamespace(gateway.namespace), podSelector: { matchLabels: { ...gateway.podSelector } } }], ports },
          { from: [{ podSelector: { matchLabels: { ...redis.podLabels } } }], ports },
          { from: [{ namespaceSelector: inNamespace(operatorNamespace), podSelector: { matchLabels: { ...OPERATOR_POD_LABELS } } }], ports },
        ],
      },
    });
  }
}
