import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../imports/monitoring.coreos.com.js';
import type { LiteLLMGateway } from './litellm-gateway.js';
import { MANAGED_BY } from './team-tier.js';
import { DNS_LABEL, requireMatch } from './validation.js';

export interface GatewayServiceMonitorProps {
  /** The gateway to scrape; it must serve metrics (`metrics: true`). */
  readonly gateway: LiteLLMGateway;
  /** Secret key, in the gateway's namespace, holding the LiteLLM key Prometheus sends as a bearer token. */
  readonly bearerTokenSecret: { readonly name: string; readonly key: string };
}

/**
 * A Prometheus Operator ServiceMonitor for the gateway's `/metrics/`, as the official chart writes one
 * (deploy/charts/litellm-helm templates/servicemonitor.yaml: port `http`, path `/metrics/`, every 15 s,
 * 10 s timeout, a bearer token from a Secret). The token is needed because the gateway turns on
 * `require_auth_for_metrics_endpoint`: the metrics name every team and its spend.
 */
export class GatewayServiceMonitor extends Construct {
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: GatewayServiceMonitorProps) {
    super(scope, id);
    const { gateway, bearerTokenSecret } = props;
    requireMatch('gateway service monitor bearerTokenSecret.name', bearerTokenSecret.name, DNS_LABEL, 'is not a Secret name (lowercase DNS label)');
    if (!gateway.metrics) throw new Error(`gateway service monitor: gateway '${gateway.name}' does not serve metrics (metrics is off)`);
    this.name = gateway.name;
    this.namespace = gateway.namespace;

    new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...gateway.podSelector, 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      spec: {
        selector: { matchLabels: { ...gateway.podSelector } },
        namespaceSelector: { matchNames: [this.namespace] },
        endpoints: [
          {
            port: 'http',
            path: '/metrics/',
            scheme: ServiceMonitorSpecEndpointsScheme.HTTP,
            interval: '15s',
            scrapeTimeout: '10s',
            bearerTokenSecret: { name: bearerTokenSecret.name, key: bearerTokenSecret.key },
          },
        ],
      },
    });
  }
}
