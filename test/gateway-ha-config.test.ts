import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_RESOURCES } from '../constructs/litellm-gateway.js';
import { type AiPromiseConfigProps, gatewaySettings, resolvePromiseConfig } from '../constructs/promise-config.js';

describe('gatewayHa and metrics config', () => {
  it('defaults to a large Redis holding counters only, the default resources, and no metrics', () => {
    // GIVEN no setting
    const { gatewayHa, metrics } = resolvePromiseConfig();
    // THEN every field is explicit
    expect(gatewayHa).toStrictEqual({ redis: { name: 'litellm-redis', size: 'large', responseCaching: false }, resources: DEFAULT_GATEWAY_RESOURCES });
    expect(metrics).toStrictEqual({ enabled: false, serviceMonitor: false, bearerTokenSecret: { name: 'litellm-metrics-token', key: 'token' } });
  });

  it('keeps what the platform sets, and a ServiceMonitor follows metrics unless turned off', () => {
    const config = resolvePromiseConfig({
      gateway: { replicas: 3 },
      gatewayHa: { redis: { size: 'small', responseCaching: true }, resources: { cpuRequest: '1', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi' } },
      metrics: { enabled: true },
    });
    expect(config.gatewayHa.redis).toStrictEqual({ name: 'litellm-redis', size: 'small', responseCaching: true });
    expect(config.metrics.serviceMonitor).toBe(true);
    expect(resolvePromiseConfig({ metrics: { enabled: true, serviceMonitor: false } }).metrics.serviceMonitor).toBe(false);
    // AND the gateway settings carry resources, caching and metrics to the construct
    expect(gatewaySettings(config)).toMatchObject({ replicas: 3, resources: config.gatewayHa.resources, responseCaching: true, metrics: true });
  });

  it('merges partial resources over the defaults', () => {
    const { gatewayHa } = resolvePromiseConfig({ gatewayHa: { resources: { memoryLimit: '4Gi' } } });
    expect(gatewayHa.resources).toStrictEqual({ ...DEFAULT_GATEWAY_RESOURCES, memoryLimit: '4Gi' });
  });

  it.each<[string, AiPromiseConfigProps]>([
    ['the defaults', {}],
    ['three replicas with metrics', { gateway: { replicas: 3 }, gatewayHa: { redis: { size: 'small' } }, metrics: { enabled: true } }],
  ])('resolves a resolved config, and its JSON, to an equal one: %s', (_what, props) => {
    const resolved = resolvePromiseConfig(props);
    expect(resolvePromiseConfig(resolved)).toStrictEqual(resolved);
    expect(resolvePromiseConfig(JSON.parse(JSON.stringify(resolved)))).toStrictEqual(resolved);
  });

  it('keeps a config.yaml from the Secret on one replica: only shared limits need the generated one', () => {
    // GIVEN one replica reading its config.yaml from the credentials Secret
    const config = resolvePromiseConfig({ gateway: { replicas: 1, useCredentialsSecretConfig: true } });
    // THEN the setting stands (two replicas with it are refused below)
    expect(config.gateway).toMatchObject({ replicas: 1, useCredentialsSecretConfig: true });
  });

  it.each<[string, AiPromiseConfigProps, string]>([
    ['an unknown Redis size', { gatewayHa: { redis: { size: 'huge' as 'small' } } }, "gatewayHa.redis.size 'huge' is not one of small, large"],
    [
      'a Redis name starting with a digit',
      { gatewayHa: { redis: { name: '1redis' } } },
      "gatewayHa.redis.name '1redis' is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)",
    ],
    ['a non-boolean responseCaching', { gatewayHa: { redis: { responseCaching: 'yes' as never } } }, "gatewayHa.redis.responseCaching 'yes' is not true or false"],
    [
      'an invalid quantity',
      { gatewayHa: { resources: { ...DEFAULT_GATEWAY_RESOURCES, cpuLimit: 'two' } } },
      "gatewayHa.resources.cpuLimit 'two' is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi",
    ],
    [
      'several replicas on a config.yaml from the Secret',
      { gateway: { replicas: 2, useCredentialsSecretConfig: true } },
      'gateway.replicas 2 needs the generated config.yaml (it turns on shared rate limits): set gateway.useCredentialsSecretConfig to false, or run one replica',
    ],
    ['a non-boolean metrics.enabled', { metrics: { enabled: 'on' as never } }, "metrics.enabled 'on' is not true or false"],
    ['a non-boolean metrics.serviceMonitor', { metrics: { enabled: true, serviceMonitor: 'yes' as never } }, "metrics.serviceMonitor 'yes' is not true or false"],
    [
      'a ServiceMonitor without metrics',
      { metrics: { serviceMonitor: true } },
      'metrics.serviceMonitor is true but metrics.enabled is false: there would be nothing to scrape',
    ],
    [
      'a bad token Secret name',
      { metrics: { enabled: true, bearerTokenSecret: { name: 'Metrics', key: 'token' } } },
      "metrics.bearerTokenSecret.name 'Metrics' is not a Secret name (lowercase DNS label)",
    ],
    [
      'a bad token Secret key',
      { metrics: { enabled: true, bearerTokenSecret: { name: 'metrics', key: 'a/b' } } },
      "metrics.bearerTokenSecret.key 'a/b' is not a Secret key (letters, digits, -, _ and .)",
    ],
  ])('rejects %s', (_what, props, message) => {
    // GIVEN an invalid setting
    // WHEN the config is resolved
    // THEN it fails with an error that quotes the value and says what is allowed
    expect(() => resolvePromiseConfig(props)).toThrow(message);
  });
});
