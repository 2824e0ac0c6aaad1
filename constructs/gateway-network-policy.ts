import { k8s } from './k8s.js';
import { Construct } from 'constructs';
import { deploymentFacts, namedPort } from './deployment-facts.js';
import type { LiteLLMGateway } from './litellm-gateway.js';
import { requireLabels } from './promise-config.js';

export interface GatewayNetworkPolicyProps {
  /** The gateway whose pods the policy selects; its `http` container port (4000) is the one opened. */
  readonly gateway: LiteLLMGateway;
  /**
   * `matchLabels` of the namespaces whose pods may call the gateway. Pods of the gateway's own
   * namespace (the platform namespace, where the pipelines run and call its admin API) are always
   * allowed.
   * @default every namespace (each team's apps call the gateway with their own key)
   */
  readonly clientNamespaces?: Readonly<Record<string, string>>;
}

/**
 * Ingress to the LiteLLM gateway: only its service port, only from pods in the allowed
 * namespaces. The gateway authenticates every call with a key, so the policy is defence in depth:
 * it closes every other port and, when narrowed, keeps unknown namespaces from even reaching the
 * login. Egress is not restricted: the gateway calls model providers on the internet and its
 * database. Callers outside the cluster (a LoadBalancer or NodePort Service) are not pods in a
 * namespace and are refused; expose the gateway through an ingress controller in an allowed
 * namespace, or add a policy of your own for those sources (policies only ever add allowances).
 */
export class GatewayNetworkPolicy extends Construct {
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: GatewayNetworkPolicyProps) {
    super(scope, id);
    if (props.clientNamespaces !== undefined) requireLabels('gateway network policy clientNamespaces', props.clientNamespaces);
    const facts = deploymentFacts(props.gateway, 'gateway network policy');
    const port = namedPort(facts, 'http', 'gateway network policy');
    this.name = facts.name;
    this.namespace = facts.namespace;

    new k8s.KubeNetworkPolicy(this, 'Policy', {
      metadata: { name: this.name, namespace: this.namespace, labels: facts.labels },
      spec: {
        podSelector: { matchLabels: facts.podSelector },
        // Ingress only: listing Egress would cut the gateway off from the providers.
        policyTypes: ['Ingress'],
        ingress: [
          {
            // `{}` selects every namespace; it admits pods only, never sources outside the cluster.
            // A peer with only a podSelector means pods of the policy's own namespace: the
            // pipelines run there, and a narrowed client list must not cut them off.
            from:
              props.clientNamespaces !== undefined
                ? [{ namespaceSelector: { matchLabels: { ...props.clientNamespaces } } }, { podSelector: {} }]
                : [{ namespaceSelector: {} }],
            ports: [{ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}
