import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { GatewayServiceMonitor } from '../constructs/gateway-service-monitor.js';
import { LiteLLMGateway } from '../constructs/litellm-gateway.js';
import { PostgresClaim } from '../constructs/postgres-claim.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { TEST_CATALOG } from './support/test-catalog.js';

function monitor(metrics = true, secretName = 'litellm-metrics-token') {
  const platform = Testing.chart();
  const database = new PostgresClaim(platform, 'database', { namespace: 'ai-platform' });
  const gateway = new LiteLLMGateway(platform, 'gateway', { catalog: TEST_CATALOG, database, namespace: 'ai-platform', metrics });
  const service = Testing.synth(platform).find((o) => o.kind === 'Service');
  const chart = Testing.chart();
  new GatewayServiceMonitor(chart, 'monitor', { gateway, bearerTokenSecret: { name: secretName, key: 'token' } });
  const objects = Testing.synth(chart);
  return { chart, objects, monitor: objects[0], service };
}

describe('GatewayServiceMonitor', () => {
  it("scrapes the gateway Service's http port at /metrics/ with a bearer token, as the chart does", async () => {
    // GIVEN a gateway serving metrics
    // WHEN the ServiceMonitor is synthesized
    const { chart, objects, monitor: m, service } = monitor();
    // THEN it is a monitoring.coreos.com/v1 ServiceMonitor (a custom resource kubernetes-models skips)
    expect(validateWithKubernetesModels(objects)).toEqual([]);
    expect(m.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(m.metadata).toMatchObject({ name: 'litellm', namespace: 'ai-platform' });
    // AND it selects the gateway Service in its namespace, by labels the Service carries
    expect(service.metadata.labels).toMatchObject(m.spec.selector.matchLabels);
    expect(m.spec.namespaceSelector).toEqual({ matchNames: ['ai-platform'] });
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(m.spec.endpoints[0].port);
    expect(m.spec.endpoints).toEqual([
      { port: 'http', path: '/metrics/', scheme: 'http', interval: '15s', scrapeTimeout: '10s', bearerTokenSecret: { name: 'litellm-metrics-token', key: 'token' } },
    ]);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/gateway-service-monitor.yaml');
  });

  it('refuses a gateway that serves no metrics', () => {
    expect(() => monitor(false)).toThrow("gateway service monitor: gateway 'litellm' does not serve metrics (metrics is off)");
  });

  it('refuses an invalid Secret name', () => {
    expect(() => monitor(true, 'Token')).toThrow("gateway service monitor bearerTokenSecret.name 'Token' is not a Secret name (lowercase DNS label)");
  });
});
