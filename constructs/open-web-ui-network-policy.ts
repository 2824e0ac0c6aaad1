import { k8s } from './k8s.js';
import { Construct } from 'constructs';
import { deploymentFacts, namedPort } from './deployment-facts.js';
import type { OpenWebUIApp } from './open-web-ui-app.js';

export interface OpenWebUINetworkPolicyProps {
  /** The request's UI; the policy selects its pod and opens its `http` container port (8080). */
  readonly app: OpenWebUIApp;
  /**
   * `matchLabels` of the only namespaces whose pods may connect (the authenticating proxy's, when
   * the UI trusts a header it sets).
   * @default any source
   */
  readonly fromNamespaces?: Readonly<Record<string, string>>;
}

/**
 * Ingress to one request's Open WebUI: its HTTP port only, from any source, since users reach it
 * through whatever the team chose (port-forward, an ingress controller in any namespace, a
 * Service of type LoadBalancer). The UI has its own login; the policy closes every other port.
 * Egress is not restricted: the UI calls the gateway, and may download models from the internet.
 */
export class OpenWebUINetworkPolicy extends Construct {
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: OpenWebUINetworkPolicyProps) {
    super(scope, id);
    const facts = deploymentFacts(props.app, 'open-webui network policy');
    const port = namedPort(facts, 'http', 'open-webui network policy');
    this.name = facts.name;
    this.namespace = facts.namespace;

    new k8s.KubeNetworkPolicy(this, 'Policy', {
      metadata: { name: this.name, namespace: this.namespace, labels: facts.labels },
      spec: {
        podSelector: { matchLabels: facts.podSelector },
        policyTypes: ['Ingress'],
        // Without fromNamespaces, no `from`: any source, on this port only.
        ingress: [
          {
            ...(props.fromNamespaces ? { from: [{ namespaceSelector: { matchLabels: { ...props.fromNamespaces } } }] } : {}),
            ports: [{ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}
