import { createHash } from 'node:crypto';
import { Testing } from 'cdk8s';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../constructs/catalog.js';
import { redisAwareReadinessScript } from '../constructs/gateway-readiness.js';
import {
  CHART_PROBE_TIMINGS,
  DEFAULT_GATEWAY_RESOURCES,
  LiteLLMGateway,
  type LiteLLMGatewayProps,
  liteLLMConfig,
  liteLLMConfigYaml,
  migrationJobName,
} from '../constructs/litellm-gateway.js';
import type { ModelSpec } from '../constructs/models.js';
import { PostgresClaim } from '../constructs/postgres-claim.js';
import { LITELLM_IMAGE } from '../constructs/promise-config.js';
import { RedisClaim } from '../constructs/redis-claim.js';
import { synthYaml, validateWithKubernetesModels } from './support/manifests.js';
import { TEST_CATALOG, TEST_MODELS } from './support/test-catalog.js';

const OLLAMA: ModelSpec = { name: 'llama3.2', model: 'ollama/llama3.2', apiBase: 'http://ollama.ollama.svc.cluster.local:11434' };
/** The tests' models plus a keyless self-hosted one. */
const CATALOG = new Catalog({ ...TEST_CATALOG.props, models: [...TEST_MODELS, OLLAMA] });

type GatewayOverrides = Partial<Omit<LiteLLMGatewayProps, 'database' | 'redis'>> & { readonly instanceNamespace?: string; readonly withRedis?: boolean };

function gateway(overrides: GatewayOverrides = {}) {
  const { instanceNamespace, withRedis, ...props } = overrides;
  const chart = Testing.chart();
  const database = new PostgresClaim(chart, 'database', { namespace: 'default', instanceNamespace });
  const redis = withRedis === true ? new RedisClaim(chart, 'redis', { namespace: 'default' }) : undefined;
  const construct = new LiteLLMGateway(chart, 'gateway', { catalog: CATALOG, database, redis, namespace: 'default', ...props });
  // Only the gateway's objects: the claims are PostgresClaim's and RedisClaim's business.
  const objects = Testing.synth(chart).filter((o) => o.kind !== 'postgresql' && o.kind !== 'redis');
  const find = (kind: string) => {
    const found = objects.find((o) => o.kind === kind);
    if (!found) throw new Error(`no ${kind} synthesized`);
    return found;
  };
  const deployment = find('Deployment');
  return { chart, construct, objects, find, deployment, pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0] };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** LiteLLM's config.yaml for CATALOG, written out by hand from LiteLLM's proxy config format. */
const EXPECTED_CONFIG = {
  model_list: [
    { model_name: 'gpt-5', litellm_params: { model: 'openai/gpt-5', api_key: 'os.environ/OPENAI_API_KEY' } },
    { model_name: 'gemini-2.5-pro', litellm_params: { model: 'gemini/gemini-2.5-pro', api_key: 'os.environ/GEMINI_API_KEY' } },
    { model_name: 'claude-opus-4', litellm_params: { model: 'anthropic/claude-opus-4-20250514', api_key: 'os.environ/ANTHROPIC_API_KEY' } },
    { model_name: 'llama3.2', litellm_params: { model: 'ollama/llama3.2', api_base: 'http://ollama.ollama.svc.cluster.local:11434' } },
  ],
  general_settings: { master_key: 'os.environ/LITELLM_MASTER_KEY', database_url: 'os.environ/DATABASE_URL' },
  litellm_settings: { request_timeout: 600, drop_params: true, json_logs: true },
};

describe('liteLLMConfig', () => {
  it('lists every catalog model with provider keys only as os.environ references', () => {
    // GIVEN a catalog with three hosted models and a keyless Ollama model with an api_base
    // WHEN the config is generated
    const config = liteLLMConfig(CATALOG);

    // THEN each model maps to its provider id, its key by reference, and api_base only where set
    expect(config.model_list).toEqual([
      { model_name: 'gpt-5', litellm_params: { model: 'openai/gpt-5', api_key: 'os.environ/OPENAI_API_KEY' } },
      { model_name: 'gemini-2.5-pro', litellm_params: { model: 'gemini/gemini-2.5-pro', api_key: 'os.environ/GEMINI_API_KEY' } },
      { model_name: 'claude-opus-4', litellm_params: { model: 'anthropic/claude-opus-4-20250514', api_key: 'os.environ/ANTHROPIC_API_KEY' } },
      { model_name: 'llama3.2', litellm_params: { model: 'ollama/llama3.2', api_base: 'http://ollama.ollama.svc.cluster.local:11434' } },
    ]);
    // AND the master key and database URL come from the environment too
    expect(config.general_settings).toEqual({ master_key: 'os.environ/LITELLM_MASTER_KEY', database_url: 'os.environ/DATABASE_URL' });
    expect(config.litellm_settings).toEqual({ request_timeout: 600, drop_params: true, json_logs: true });
  });

  it('renders YAML that parses back to the same config', () => {
    // GIVEN the catalog
    // WHEN the YAML is rendered and parsed
    // THEN nothing is lost, including the model name with a dot
    expect(load(liteLLMConfigYaml(CATALOG))).toEqual(EXPECTED_CONFIG);
  });

  it('shares counters through the Redis cache client and caches no response unless asked to', () => {
    // GIVEN Redis without response caching, then with it
    const counters = liteLLMConfig(CATALOG, { redis: true }).litellm_settings;
    const caching = liteLLMConfig(CATALOG, { redis: true, responseCaching: true }).litellm_settings;
    // THEN both turn on the redis cache (its client is the proxy's usage cache); without response
    // caching no call type is cached, with it requests opt in (default_off)
    expect(counters).toMatchObject({ cache: true, cache_params: { type: 'redis', mode: 'default_off', supported_call_types: [] } });
    expect(caching).toMatchObject({ cache: true, cache_params: { type: 'redis', mode: 'default_off' } });
    expect(caching.cache_params).not.toHaveProperty('supported_call_types');
    // AND no Redis address is written into config.yaml (it comes from the pod's env)
    expect(JSON.stringify(counters)).not.toMatch(/"host"|"port"|sentinel/i);
    // AND without Redis there is no cache at all
    expect(liteLLMConfig(CATALOG).litellm_settings).not.toHaveProperty('cache');
  });

  it('turns on Prometheus metrics behind key auth only when asked to', () => {
    expect(liteLLMConfig(CATALOG, { metrics: true }).litellm_settings).toMatchObject({ callbacks: ['prometheus'], require_auth_for_metrics_endpoint: true });
    expect(liteLLMConfig(CATALOG).litellm_settings).not.toHaveProperty('callbacks');
  });

  it('refuses response caching without Redis', () => {
    expect(() => liteLLMConfig(CATALOG, { responseCaching: true })).toThrow('responseCaching needs redis: the response cache lives in Redis');
  });
});

describe('migrationJobName', () => {
  it.each([
    ['ghcr.io/berriai/litellm-non_root:main-v1.81.0-stable', 'litellm-migrations-main-v1-81-0-stable'],
    ['registry.example.com:5000/litellm-non_root:V1.81.0_stable', 'litellm-migrations-v1-81-0-stable'],
  ])('versions the Job by the tag of %s', (image, name) => {
    expect(migrationJobName('litellm', image)).toBe(name);
  });

  it('uses a hash of the image for a digest, and a new one for each digest', () => {
    const a = migrationJobName('litellm', `ghcr.io/berriai/litellm-non_root@sha256:${'a'.repeat(64)}`);
    const b = migrationJobName('litellm', `ghcr.io/berriai/litellm-non_root@sha256:${'b'.repeat(64)}`);
    expect(a).toMatch(/^litellm-migrations-[0-9a-f]{10}$/);
    expect(b).not.toBe(a);
  });

  it('stays a valid label value for the longest gateway name', () => {
    const name = migrationJobName('g'.repeat(63), LITELLM_IMAGE);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('LiteLLMGateway', () => {
  it('synthesizes a ConfigMap, a Deployment and a Service that kubernetes-models accepts', async () => {
    // GIVEN the default props
    // WHEN the gateway is synthesized
    const { chart, objects } = gateway();

    // THEN every object has its contract name and passes schema validation
    expect(validateWithKubernetesModels(objects)).toEqual(['ConfigMap/litellm-config', 'Deployment/litellm', 'Service/litellm']);
    expect(objects.map((o) => o.metadata.namespace)).toEqual(['default', 'default', 'default']);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/litellm-gateway.yaml');
  });

  it('exposes the Service name, the in-cluster URL and the config', () => {
    // GIVEN a gateway named ai-gateway in namespace default
    const { construct } = gateway({ name: 'ai-gateway' });
    // THEN the URL names the Service on port 4000
    expect(construct.serviceName).toBe('ai-gateway');
    expect(construct.internalUrl).toBe('http://ai-gateway.default.svc.cluster.local:4000');
    expect(load(construct.configYaml)).toEqual(EXPECTED_CONFIG);
  });

  it('writes config.yaml from the catalog into the ConfigMap', () => {
    // GIVEN the default props
    // WHEN the gateway is synthesized
    const { find } = gateway();
    const configMap = find('ConfigMap');

    // THEN the ConfigMap holds exactly config.yaml, generated from the catalog
    expect(Object.keys(configMap.data)).toEqual(['config.yaml']);
    expect(load(configMap.data['config.yaml'])).toEqual(EXPECTED_CONFIG);
  });

  it('runs LiteLLM with the chart probes, port and args', () => {
    // GIVEN the default props
    // WHEN the gateway is synthesized
    const { deployment, pod, container } = gateway();

    // THEN one container serves config.yaml on port 4000 named http
    expect(deployment.spec.replicas).toBe(1);
    expect(pod.containers).toHaveLength(1);
    expect(container.name).toBe('litellm');
    expect(container.image).toBe('ghcr.io/berriai/litellm-non_root:main-v1.81.0-stable');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.args).toEqual(['--config', '/etc/litellm/config.yaml', '--port', '4000']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 4000, protocol: 'TCP' }]);
    // AND the probes are the official chart's, timings included (values.yaml of the chart)
    const chartTimings = (period: number, failures: number) => ({ initialDelaySeconds: 0, periodSeconds: period, timeoutSeconds: 5, successThreshold: 1, failureThreshold: failures });
    expect(container.livenessProbe).toEqual({ httpGet: { path: '/health/liveliness', port: 'http' }, ...chartTimings(15, 5) });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/health/readiness', port: 'http' }, ...chartTimings(10, 3) });
    expect(container.startupProbe).toEqual({ httpGet: { path: '/health/readiness', port: 'http' }, ...chartTimings(10, 30) });
    expect(pod.terminationGracePeriodSeconds).toBe(90);
    // AND one replica pushes its own schema: no DISABLE_SCHEMA_UPDATE, no Redis
    expect(container.env.map((e: { name: string }) => e.name)).not.toContain('DISABLE_SCHEMA_UPDATE');
    expect(deployment.spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  it('passes every secret by secretKeyRef and builds DATABASE_URL inside the pod', () => {
    // GIVEN the default props
    // WHEN the gateway is synthesized
    const { container } = gateway();
    const dbSecret = 'litellm.litellm-litellm-postgresql.credentials.postgresql.acid.zalan.do';
    const ref = (name: string, key: string, optional: boolean) => ({ secretKeyRef: { name, key, optional } });

    // THEN the env is exactly the DB parts, the URL from them, the two keys and one var per provider key
    expect(container.env).toEqual([
      { name: 'DATABASE_USERNAME', valueFrom: ref(dbSecret, 'username', false) },
      { name: 'DATABASE_PASSWORD', valueFrom: ref(dbSecret, 'password', false) },
      { name: 'DATABASE_HOST', value: 'litellm-litellm-postgresql.default.svc.cluster.local' },
      { name: 'DATABASE_NAME', value: 'litellm' },
      {
        name: 'DATABASE_URL',
        value: 'postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@litellm-litellm-postgresql.default.svc.cluster.local:5432/litellm',
      },
      { name: 'LITELLM_MASTER_KEY', valueFrom: ref('litellm-creds', 'LITELLM_MASTER_KEY', false) },
      { name: 'LITELLM_SALT_KEY', valueFrom: ref('litellm-creds', 'LITELLM_SALT_KEY', false) },
      { name: 'OPENAI_API_KEY', valueFrom: ref('litellm-creds', 'OPENAI_API_KEY', true) },
      { name: 'GEMINI_API_KEY', valueFrom: ref('litellm-creds', 'GEMINI_API_KEY', true) },
      { name: 'ANTHROPIC_API_KEY', valueFrom: ref('litellm-creds', 'ANTHROPIC_API_KEY', true) },
    ]);
    // AND the whole Secret is never imported (its config.yaml key would become an env var)
    expect(container.envFrom).toBeUndefined();
  });

  it('never puts a secret value in the manifests', () => {
    // GIVEN both config sources
    for (const useCredentialsSecretConfig of [false, true]) {
      // WHEN the gateway is synthesized
      const { objects, container } = gateway({ useCredentialsSecretConfig });
      const yaml = JSON.stringify(objects);

      // THEN there are no Secrets, no envFrom and no inline values for credentials
      expect(objects.map((o) => o.kind)).not.toContain('Secret');
      expect(yaml).not.toContain('envFrom');
      expect(yaml).not.toMatch(/sk-/);
      const credentials = container.env.filter((env: { name: string }) => /(KEY|PASSWORD|USERNAME)$/.test(env.name));
      // DB user and password, master and salt key, three provider keys
      expect(credentials, 'credential env vars').toHaveLength(7);
      for (const env of container.env) {
        if (/(KEY|PASSWORD|USERNAME)$/.test(env.name)) {
          expect(env.value, env.name).toBeUndefined();
          expect(env.valueFrom.secretKeyRef, env.name).toBeDefined();
        }
      }
    }
  });

  it('declares each provider key once, however many models share it', () => {
    // GIVEN two OpenAI models on the same key
    const models: ModelSpec[] = [...TEST_MODELS, { name: 'gpt-5-mini', model: 'openai/gpt-5-mini', apiKeyEnv: 'OPENAI_API_KEY' }];
    const catalog = new Catalog({ ...TEST_CATALOG.props, models });
    // WHEN the gateway is synthesized
    const { container } = gateway({ catalog });
    // THEN OPENAI_API_KEY appears once
    expect(container.env.filter((e: { name: string }) => e.name === 'OPENAI_API_KEY')).toHaveLength(1);
  });

  it('mounts the generated config.yaml by subPath and stamps its hash on the pod template', () => {
    // GIVEN the default props
    // WHEN the gateway is synthesized
    const { deployment, pod, container, find } = gateway();

    // THEN the ConfigMap's config.yaml is mounted read-only at /etc/litellm/config.yaml
    expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: 'litellm-config', items: [{ key: 'config.yaml', path: 'config.yaml' }] } }]);
    expect(container.volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/litellm/config.yaml', subPath: 'config.yaml', readOnly: true }]);
    // AND the pod template carries the sha256 of the config.yaml it mounts
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'ai.kratix.io/config-sha256': sha256(find('ConfigMap').data['config.yaml']) });
  });

  it('rolls the pods when the catalog changes, and only then', () => {
    // GIVEN the same catalog twice, and a catalog with one more model
    const hash = (catalog: Catalog) => gateway({ catalog }).deployment.spec.template.metadata.annotations['ai.kratix.io/config-sha256'];
    const bigger = new Catalog({ ...CATALOG.props, models: [...CATALOG.models, { name: 'qwen3', model: 'ollama/qwen3', apiBase: OLLAMA.apiBase }] });
    // WHEN the gateway is synthesized for each
    // THEN an unchanged catalog keeps the hash and a changed one changes it
    expect(hash(CATALOG)).toBe(hash(new Catalog(CATALOG.props)));
    expect(hash(bigger)).not.toBe(hash(CATALOG));
  });

  it('mounts config.yaml from the credentials Secret when asked to', async () => {
    // GIVEN useCredentialsSecretConfig
    // WHEN the gateway is synthesized
    const { chart, objects, deployment, pod, container } = gateway({ useCredentialsSecretConfig: true, credentialsSecret: 'my-creds' });

    // THEN no ConfigMap is written and the Secret's config.yaml item is mounted in its place
    expect(validateWithKubernetesModels(objects)).toEqual(['Deployment/litellm', 'Service/litellm']);
    expect(pod.volumes).toEqual([{ name: 'config', secret: { secretName: 'my-creds', items: [{ key: 'config.yaml', path: 'config.yaml' }] } }]);
    expect(container.volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/litellm/config.yaml', subPath: 'config.yaml', readOnly: true }]);
    // AND there is no config hash: the pipeline never reads the Secret's content
    expect(deployment.spec.template.metadata.annotations).toBeUndefined();
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/litellm-gateway-secret-config.yaml');
  });

  it('runs as nobody with no privileges, a writable root and no service account token', () => {
    // GIVEN the default props
    // WHEN the gateway is synthesized
    const { pod, container } = gateway();

    // THEN the pod meets Pod Security "restricted"
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65534,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
      readOnlyRootFilesystem: false,
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
  });

  it('sets explicit resources, defaulting to 500m/1Gi requests and 2/2Gi limits', () => {
    // GIVEN the default props, then custom resources
    const custom = { cpuRequest: '1', cpuLimit: '4', memoryRequest: '2Gi', memoryLimit: '4Gi' };
    // WHEN the gateway is synthesized
    // THEN the container gets exactly those quantities
    expect(DEFAULT_GATEWAY_RESOURCES).toEqual({ cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' });
    expect(gateway().container.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(gateway({ resources: custom }).container.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '4Gi' } });
  });

  it('labels everything and selects on name and instance only', () => {
    // GIVEN a gateway named ai-gateway
    // WHEN it is synthesized
    const { objects, deployment, find } = gateway({ name: 'ai-gateway' });
    const labels = { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': 'ai-gateway', 'app.kubernetes.io/managed-by': 'kratix-ai-promise' };
    const selector = { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': 'ai-gateway' };

    // THEN every object and the pod template carry the labels, and no cdk8s-generated label
    expect(objects.map((o) => [o.kind, o.metadata.name, o.metadata.labels])).toEqual([
      ['ConfigMap', 'ai-gateway-config', labels],
      ['Deployment', 'ai-gateway', labels],
      ['Service', 'ai-gateway', labels],
    ]);
    expect(deployment.spec.template.metadata.labels).toEqual(labels);
    expect(deployment.spec.selector).toEqual({ matchLabels: selector });
    expect(deployment.spec.replicas).toBe(1);
    // AND the Service is a ClusterIP on port 4000 named http
    expect(find('Service').spec).toEqual({
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: 4000, targetPort: 4000, protocol: 'TCP' }],
    });
  });

  it.each<[string, GatewayOverrides, string]>([
    ['an invalid namespace', { namespace: 'Default' }, "gateway namespace 'Default' is not a namespace name (lowercase DNS label)"],
    ['a name starting with a digit', { name: '4litellm' }, "gateway name '4litellm' is not a Service name (DNS-1035 label)"],
    ['a name over 63 characters', { name: 'l'.repeat(64) }, `gateway name '${'l'.repeat(60)}... is longer than 63 characters`],
    [
      'an unpinned image',
      { image: 'ghcr.io/berriai/litellm-non_root:latest' },
      "gateway image 'ghcr.io/berriai/litellm-non_root:latest' is not pinned: give an exact tag or digest, not latest",
    ],
    [
      'an untagged image',
      { image: 'ghcr.io/berriai/litellm-non_root' },
      "gateway image 'ghcr.io/berriai/litellm-non_root' is not pinned: give an exact tag or digest, not latest",
    ],
    ['zero replicas', { replicas: 0 }, 'gateway replicas 0 is not a positive integer'],
    ['fractional replicas', { replicas: 1.5 }, 'gateway replicas 1.5 is not a positive integer'],
    ['an invalid credentialsSecret', { credentialsSecret: 'LiteLLM_Creds' }, "gateway credentialsSecret 'LiteLLM_Creds' is not a Secret name (DNS subdomain)"],
    [
      'an invalid quantity',
      { resources: { ...DEFAULT_GATEWAY_RESOURCES, memoryLimit: '2 GB' } },
      "gateway resources.memoryLimit '2 GB' is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi",
    ],
    [
      'three replicas without a redis',
      { replicas: 3 },
      'gateway replicas 3 needs a redis: without shared counters each replica grants every team its full rpm/tpm limit',
    ],
    ['response caching without a redis', { responseCaching: true }, 'gateway responseCaching needs a redis: the response cache lives in Redis'],
    [
      "metrics on the Secret's config.yaml",
      { useCredentialsSecretConfig: true, metrics: true },
      'gateway useCredentialsSecretConfig cannot be combined with redis or metrics: both are settings of the generated config.yaml',
    ],
    [
      "a redis on the Secret's config.yaml",
      { useCredentialsSecretConfig: true, withRedis: true },
      'gateway useCredentialsSecretConfig cannot be combined with redis or metrics: both are settings of the generated config.yaml',
    ],
    [
      'a database in another namespace',
      { instanceNamespace: 'databases' },
      "gateway namespace 'default' differs from the database's instance namespace 'databases': a pod can only reference the database Secret in its own namespace",
    ],
  ])('rejects %s', (_what, overrides, message) => {
    // GIVEN an invalid prop
    // WHEN the gateway is built
    // THEN construction fails with an error that quotes the value and says what is allowed
    expect(() => gateway(overrides)).toThrow(message);
  });
});

describe('LiteLLMGateway with three replicas', () => {
  const three = () => gateway({ replicas: 3, withRedis: true });

  it('synthesizes a Deployment, a PodDisruptionBudget and a migration Job that kubernetes-models accepts', async () => {
    // GIVEN three replicas and a Redis
    // WHEN the gateway is synthesized
    const { chart, objects } = three();
    // THEN every object validates, the Job named after the image tag
    expect(validateWithKubernetesModels(objects)).toEqual([
      'ConfigMap/litellm-config',
      'Deployment/litellm',
      'Service/litellm',
      'PodDisruptionBudget/litellm',
      `Job/${migrationJobName('litellm', LITELLM_IMAGE)}`,
    ]);
    await expect(synthYaml(chart)).toMatchFileSnapshot('__snapshots__/litellm-gateway-3-replicas.yaml');
  });

  it('never rolls or drains below two ready replicas', () => {
    const { deployment, find } = three();
    // THEN a rollout surges one new pod before an old one goes
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    // AND evictions take one pod at a time, the gateway's pods only, and never wait on an unready one
    expect(find('PodDisruptionBudget').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': 'litellm' } },
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  it('spreads the replicas over nodes (required) and zones (preferred), per rollout', () => {
    const { pod } = three();
    const common = { maxSkew: 1, labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': 'litellm' } }, matchLabelKeys: ['pod-template-hash'] };
    expect(pod.topologySpreadConstraints).toEqual([
      { ...common, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' },
      { ...common, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
    ]);
  });

  it('points LiteLLM at the Sentinel and leaves the schema to the Job', () => {
    const { container, construct } = three();
    const env = Object.fromEntries(container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.DISABLE_SCHEMA_UPDATE).toBe('true');
    expect(JSON.parse(env.REDIS_SENTINEL_NODES)).toEqual([['rfs-litellm-redis.default.svc.cluster.local', 26379]]);
    expect(env.REDIS_SERVICE_NAME).toBe('mymaster');
    // AND config.yaml turns the Redis cache on (counters only)
    expect(load(construct.configYaml)).toEqual(liteLLMConfig(CATALOG, { redis: true }));
  });

  it('is ready only while LiteLLM (and so its database) and the Redis master answer', () => {
    const { container } = three();
    expect(container.readinessProbe).toEqual({ exec: { command: ['python', '-c', redisAwareReadinessScript(4000)] }, ...CHART_PROBE_TIMINGS.readiness });
    // AND liveness and startup stay the chart's HTTP probes: a Redis outage must not restart pods
    expect(container.livenessProbe.httpGet.path).toBe('/health/liveliness');
    expect(container.startupProbe.httpGet.path).toBe('/health/readiness');
  });

  it("runs the chart's migration Job with the database env, as nobody, on pods the Service never selects", () => {
    const { find, container, construct } = three();
    const job = find('Job');
    const jobPod = job.spec.template.spec;
    const [migrate] = jobPod.containers;
    expect(job.spec.backoffLimit).toBe(4);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(jobPod.restartPolicy).toBe('OnFailure');
    expect(migrate).toMatchObject({ name: 'prisma-migrations', image: LITELLM_IMAGE, command: ['python', 'litellm/proxy/prisma_migration.py'], workingDir: '/app' });
    // THEN it gets exactly the gateway's database env, and DISABLE_SCHEMA_UPDATE=false last
    const databaseEnv = container.env.filter((e: { name: string }) => e.name.startsWith('DATABASE_'));
    expect(migrate.env).toEqual([...databaseEnv, { name: 'DISABLE_SCHEMA_UPDATE', value: 'false' }]);
    expect(migrate.securityContext).toEqual(container.securityContext);
    expect(jobPod.securityContext).toEqual(find('Deployment').spec.template.spec.securityContext);
    expect(jobPod.automountServiceAccountToken).toBe(false);
    // AND its pods are not the gateway's: the Service selector misses them
    const serviceSelector = find('Service').spec.selector;
    expect(Object.entries(serviceSelector).every(([k, v]) => job.spec.template.metadata.labels[k] === v)).toBe(false);
    expect(construct.migrationPodSelector).toEqual({ 'app.kubernetes.io/name': 'litellm-migrations', 'app.kubernetes.io/instance': 'litellm' });
    expect(job.spec.template.metadata.labels).toMatchObject(construct.migrationPodSelector!);
  });

  it('writes no PodDisruptionBudget, spread or Job for one replica', () => {
    const { objects, construct } = gateway({ withRedis: true });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expect(construct.migrationJobName).toBeUndefined();
  });
});
