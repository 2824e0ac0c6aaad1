import { createHash } from 'node:crypto';
import { k8s } from './k8s.js';
import { Construct } from 'constructs';
import { dump } from 'js-yaml';
import type { Catalog } from './catalog.js';
import { redisAwareReadinessScript } from './gateway-readiness.js';
import type { PostgresClaim } from './postgres-claim.js';
import { LITELLM_IMAGE, requirePinnedImage } from './promise-config.js';
import type { RedisClaim } from './redis-claim.js';
import { MANAGED_BY } from './team-tier.js';
import { DNS_1035_LABEL, DNS_LABEL, QUANTITY, quote, requireMatch, requirePositive } from './validation.js';

/** CPU and memory of the gateway container, as Kubernetes quantities. */
export interface GatewayResources {
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

/**
 * One uvicorn worker per pod (LiteLLM's advice on Kubernetes) rarely needs more than a core at
 * steady state, but Python plus the prisma engine need about 1Gi resident and spike at startup
 * while the schema is pushed. Requests stay small enough for a dev cluster; the limits leave
 * headroom for bursts. LiteLLM recommends 2 vCPU / 4 GB per production instance: raise memoryLimit
 * there, and scale with `replicas` rather than workers.
 */
export const DEFAULT_GATEWAY_RESOURCES: GatewayResources = {
  cpuRequest: '500m',
  cpuLimit: '2',
  memoryRequest: '1Gi',
  memoryLimit: '2Gi',
};

export interface LiteLLMGatewayProps {
  /** The models the gateway serves: they become config.yaml's `model_list`. */
  readonly catalog: Catalog;
  /** The database request; its instance must run in `namespace` so its Secret can be referenced. */
  readonly database: PostgresClaim;
  /** Namespace of the gateway and of the credentials Secret. */
  readonly namespace: string;
  /**
   * Name of the Deployment and Service (and the ConfigMap's prefix).
   * @default 'litellm'
   */
  readonly name?: string;
  /**
   * LiteLLM image, pinned to an exact tag or digest. It must be a `litellm-non_root` build: the
   * pod runs as user 65534.
   * @default LITELLM_IMAGE
   */
  readonly image?: string;
  /**
   * Gateway replicas.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Secret in `namespace` with `LITELLM_MASTER_KEY`, `LITELLM_SALT_KEY` and each model's
   * `apiKeyEnv` key (and `config.yaml` when `useCredentialsSecretConfig` is set).
   * @default 'litellm-creds'
   */
  readonly credentialsSecret?: string;
  /**
   * Mount the credentials Secret's `config.yaml` item instead of the config generated from the
   * catalog, for users of the original promise whose Secret carries its own model_list.
   * Trade-off: the catalog (and so the CRD's model enum) no longer describes what the gateway
   * serves, requests may name models the gateway lacks; its `os.environ/NAME` references resolve
   * only for the variables set here (the catalog's `apiKeyEnv` names, the master and salt keys and
   * `DATABASE_*`), since the Secret is not imported whole; and because the pipeline never reads
   * Secrets, editing that config.yaml does not roll the pods: restart them yourself.
   * @default false
   */
  readonly useCredentialsSecretConfig?: boolean;
  /**
   * Container resources.
   * @default DEFAULT_GATEWAY_RESOURCES (requests 500m / 1Gi, limits 2 / 2Gi)
   */
  readonly resources?: GatewayResources;
  /**
   * The Redis the replicas share their rate-limit counters through. Required above one replica:
   * without it each replica counts on its own and grants every team its full limit.
   * @default none (allowed only with one replica)
   */
  readonly redis?: RedisClaim;
  /**
   * Let clients opt in to response caching in Redis (`"cache": {"use-cache": true}`); off, nothing
   * is cached. Needs `redis`.
   * @default false
   */
  readonly responseCaching?: boolean;
  /**
   * Serve LiteLLM's Prometheus metrics on `/metrics` (port `http`), behind LiteLLM key auth.
   * @default false
   */
  readonly metrics?: boolean;
}

/** One `model_list` entry of LiteLLM's config.yaml. */
export interface LiteLLMModelEntry {
  readonly model_name: string;
  readonly litellm_params: {
    readonly model: string;
    readonly api_base?: string;
    /** Always an `os.environ/NAME` reference: the key itself stays in the Secret. */
    readonly api_key?: string;
  };
}

/** The parts of LiteLLM's config.yaml this promise writes. */
export interface LiteLLMConfig {
  readonly model_list: readonly LiteLLMModelEntry[];
  readonly general_settings: {
    readonly master_key: string;
    readonly database_url: string;
  };
  readonly litellm_settings: {
    readonly request_timeout: number;
    readonly drop_params: boolean;
    readonly json_logs: boolean;
    readonly cache?: boolean;
    readonly cache_params?: LiteLLMCacheParams;
    readonly callbacks?: readonly string[];
    readonly require_auth_for_metrics_endpoint?: boolean;
  };
}

/** `litellm_settings.cache_params`; the Redis connection itself comes from REDIS_* env vars. */
export interface LiteLLMCacheParams {
  readonly type: 'redis';
  /** `default_off`: a response is cached only when its request opts in (LiteLLM docs proxy/caching.md). */
  readonly mode: 'default_off';
  /** Present and empty when response caching is off: no call type is ever looked up or stored. */
  readonly supported_call_types?: readonly string[];
}

/** The features of the generated config.yaml beyond the catalog. */
export interface LiteLLMConfigOptions {
  /** Share rate-limit counters through Redis (above one replica). */
  readonly redis?: boolean;
  /** With `redis`: let requests opt in to response caching. */
  readonly responseCaching?: boolean;
  /** Serve Prometheus metrics, behind key auth. */
  readonly metrics?: boolean;
}

/**
 * LiteLLM's config.yaml for a catalog. Pure: secrets appear only as `os.environ/NAME` references.
 *
 * Shared limits: LiteLLM's production guide (docs/my-website/docs/proxy/prod.md, "Use Redis 'port',
 * 'host', 'password'") pairs `router_settings.redis_*` with `litellm_settings.cache: true` and
 * `cache_params.type: redis`. The team rpm/tpm limiter counts in the proxy's internal usage cache,
 * whose Redis is the `litellm_settings.cache` client (proxy_server.py `ProxyConfig._init_cache` sets
 * `redis_usage_cache`; utils.py `ProxyLogging.update_values` hands it to
 * `internal_usage_cache.dual_cache.redis_cache`), so that is the setting written here.
 * `router_settings.redis_*` only shares the router's own state (per-deployment rpm/tpm, cooldowns),
 * takes a host and port but no Sentinel, and this promise sets no per-deployment limits: it is left
 * unset. Response caching rides on the same `cache` client, so it is kept off unless asked for:
 * `supported_call_types: []` makes caching_handler.py skip every lookup and store.
 */
export function liteLLMConfig(catalog: Catalog, options: LiteLLMConfigOptions = {}): LiteLLMConfig {
  if (options.responseCaching === true && options.redis !== true) throw new Error('responseCaching needs redis: the response cache lives in Redis');
  return {
    model_list: catalog.models.map((m) => ({
      model_name: m.name,
      litellm_params: {
        model: m.model,
        ...(m.apiBase !== undefined ? { api_base: m.apiBase } : {}),
        ...(m.apiKeyEnv !== undefined ? { api_key: `os.environ/${m.apiKeyEnv}` } : {}),
      },
    })),
    general_settings: {
      master_key: 'os.environ/LITELLM_MASTER_KEY',
      database_url: 'os.environ/DATABASE_URL',
    },
    litellm_settings: {
      // Bounds a hung upstream call at 10 minutes (LiteLLM's default is 6000 s) while leaving
      // room for long reasoning completions.
      request_timeout: 600,
      // Clients such as Open WebUI send OpenAI-only parameters that other providers reject.
      drop_params: true,
      json_logs: true,
      ...(options.redis === true
        ? {
            cache: true,
            cache_params: { type: 'redis', mode: 'default_off', ...(options.responseCaching === true ? {} : { supported_call_types: [] }) },
          }
        : {}),
      // LiteLLM >= 1.80.0 serves these without a licence. Before 1.85.0 /metrics is public by
      // default, and its labels name every team and its spend, so key auth is turned on here.
      ...(options.metrics === true ? { callbacks: ['prometheus'], require_auth_for_metrics_endpoint: true } : {}),
    },
  };
}

/** `liteLLMConfig(catalog, options)` as the YAML the gateway mounts. */
export function liteLLMConfigYaml(catalog: Catalog, options: LiteLLMConfigOptions = {}): string {
  return dump(liteLLMConfig(catalog, options), { noRefs: true, lineWidth: -1 });
}

const PORT = 4000;
const CONFIG_DIR = '/etc/litellm';
const CONFIG_FILE = 'config.yaml';
/** `nobody` in the litellm-non_root image, which owns /app and the prisma directories. */
const NOBODY = 65534;
/** Kubernetes Secret names are DNS subdomains. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Probe timings of the official chart (BerriAI/litellm deploy/charts/litellm-helm values.yaml
 * `livenessProbe`, `readinessProbe`, `startupProbe`, asserted by tests/deployment_tests.yaml "should
 * keep default probes"): no initial delay, 5 s timeouts, and about 300 s to start.
 */
export const CHART_PROBE_TIMINGS = {
  liveness: { initialDelaySeconds: 0, periodSeconds: 15, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
  readiness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 },
  startup: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 30 },
} as const;

/**
 * The migration Job's pod: the chart's migrations-job.yaml (image of the proxy, `python
 * litellm/proxy/prisma_migration.py` in /app, `DISABLE_SCHEMA_UPDATE=false`, OnFailure, backoffLimit 4)
 * sized for prisma's migrate run.
 */
export const MIGRATION_RESOURCES: GatewayResources = { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' };

/**
 * The LiteLLM proxy: a ConfigMap with config.yaml generated from the catalog, a Deployment and a
 * ClusterIP Service. Secrets reach the pod only as `secretKeyRef`s (no `envFrom`, so the Secret's
 * `config.yaml` key never becomes an env var); the pipeline that renders this never reads them.
 *
 * Above one replica it runs as the chart runs a production proxy: a migration Job applies the schema
 * once per image and the pods set `DISABLE_SCHEMA_UPDATE=true`; the replicas share their rate-limit
 * counters through `redis`, spread over nodes, roll one surge pod at a time and keep a
 * PodDisruptionBudget of one.
 */
export class LiteLLMGateway extends Construct {
  static readonly PORT = PORT;
  /** Pod-template annotation holding the sha256 of config.yaml, so a changed config rolls the pods. */
  static readonly CONFIG_HASH_ANNOTATION = 'ai.kratix.io/config-sha256';
  /** `app.kubernetes.io/name` of the migration Job's pods: not the gateway's, so the Service never selects them. */
  static readonly MIGRATIONS_APP = 'litellm-migrations';

  readonly name: string;
  readonly namespace: string;
  readonly serviceName: string;
  /** `http://<name>.<namespace>.svc.cluster.local:4000` */
  readonly internalUrl: string;
  /**
   * config.yaml generated from the catalog. Not mounted when `useCredentialsSecretConfig` is set
   * (and no ConfigMap is written then).
   */
  readonly configYaml: string;
  readonly replicas: number;
  /** Whether it serves Prometheus metrics on `/metrics/`. */
  readonly metrics: boolean;
  /** The labels that select this gateway's pods (Deployment selector, Service, PDB, policies). */
  readonly podSelector: Readonly<Record<string, string>>;
  /** The labels that select its migration Job's pods; absent with one replica (no Job). */
  readonly migrationPodSelector?: Readonly<Record<string, string>>;
  /** The migration Job's name, versioned by image tag; absent with one replica. */
  readonly migrationJobName?: string;

  constructor(scope: Construct, id: string, props: LiteLLMGatewayProps) {
    super(scope, id);
    const { catalog, database } = props;
    this.namespace = props.namespace;
    this.name = props.name ?? 'litellm';
    const image = props.image ?? LITELLM_IMAGE;
    const replicas = props.replicas ?? 1;
    const credentialsSecret = props.credentialsSecret ?? 'litellm-creds';
    const useCredentialsSecretConfig = props.useCredentialsSecretConfig ?? false;
    const resources = props.resources ?? DEFAULT_GATEWAY_RESOURCES;
    const responseCaching = props.responseCaching ?? false;
    const metrics = props.metrics ?? false;
    this.metrics = metrics;

    requireMatch('gateway namespace', this.namespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    requireMatch('gateway name', this.name, DNS_1035_LABEL, 'is not a Service name (DNS-1035 label)');
    if (this.name.length > 63) throw new Error(`gateway name ${quote(this.name)} is longer than 63 characters`);
    requirePinnedImage('gateway image', image);
    requirePositive('gateway replicas', replicas, true);
    requireMatch('gateway credentialsSecret', credentialsSecret, DNS_SUBDOMAIN, 'is not a Secret name (DNS subdomain)');
    for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
      requireMatch(`gateway resources.${field}`, resources[field], QUANTITY, 'is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');
    }
    if (replicas > 1 && props.redis === undefined) {
      throw new Error(
        `gateway replicas ${replicas} needs a redis: without shared counters each replica grants every team its full rpm/tpm limit`,
      );
    }
    if (responseCaching && props.redis === undefined) throw new Error('gateway responseCaching needs a redis: the response cache lives in Redis');
    if (useCredentialsSecretConfig && (props.redis !== undefined || metrics)) {
      throw new Error('gateway useCredentialsSecretConfig cannot be combined with redis or metrics: both are settings of the generated config.yaml');
    }
    if (database.instanceNamespace !== this.namespace) {
      throw new Error(
        `gateway namespace ${quote(this.namespace)} differs from the database's instance namespace ` +
          `${quote(database.instanceNamespace)}: a pod can only reference the database Secret in its own namespace`,
      );
    }

    this.serviceName = this.name;
    this.internalUrl = `http://${this.name}.${this.namespace}.svc.cluster.local:${PORT}`;
    this.replicas = replicas;
    this.configYaml = liteLLMConfigYaml(catalog, { redis: props.redis !== undefined, responseCaching, metrics });

    const labels = {
      'app.kubernetes.io/name': 'litellm',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
    // Selectors are immutable: keep them to the two labels that identify this gateway for good.
    const selector = { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': this.name };
    this.podSelector = selector;
    // One replica keeps the proxy's own schema push on start (no Job to wait for); above one, the
    // chart's pattern: one Job migrates, the pods never push the schema concurrently.
    const migrate = replicas > 1;

    let configVolume: k8s.Volume;
    let podAnnotations: Record<string, string> | undefined;
    if (useCredentialsSecretConfig) {
      configVolume = { name: 'config', secret: { secretName: credentialsSecret, items: [{ key: CONFIG_FILE, path: CONFIG_FILE }] } };
    } else {
      const configMap = new k8s.KubeConfigMap(this, 'Config', {
        metadata: { name: `${this.name}-config`, namespace: this.namespace, labels },
        data: { [CONFIG_FILE]: this.configYaml },
      });
      configVolume = { name: 'config', configMap: { name: configMap.name, items: [{ key: CONFIG_FILE, path: CONFIG_FILE }] } };
      // A subPath mount never sees ConfigMap updates, so the pods must be replaced instead.
      podAnnotations = { [LiteLLMGateway.CONFIG_HASH_ANNOTATION]: createHash('sha256').update(this.configYaml).digest('hex') };
    }

    const secretRef = (envName: string, secret: string, key: string, optional: boolean): k8s.EnvVar => ({
      name: envName,
      valueFrom: { secretKeyRef: { name: secret, key, optional } },
    });
    const providerKeys = [...new Set(catalog.models.flatMap((m) => (m.apiKeyEnv !== undefined ? [m.apiKeyEnv] : [])))];

    const databaseEnv: k8s.EnvVar[] = [
      // Kubernetes expands $(VAR) only from variables listed earlier, so the parts come first.
      secretRef('DATABASE_USERNAME', database.credentialsSecretName, 'username', false),
      secretRef('DATABASE_PASSWORD', database.credentialsSecretName, 'password', false),
      { name: 'DATABASE_HOST', value: database.host },
      { name: 'DATABASE_NAME', value: database.dbName },
      {
        // Assembled inside the pod, so the pipeline never reads the database Secret. $(VAR)
        // expansion does no URL encoding, and none is needed: the Zalando operator generates
        // alphanumeric passwords, and the user is teamId, a DNS label.
        name: 'DATABASE_URL',
        value: `postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@${database.host}:${database.port}/${database.dbName}`,
      },
    ];
    const env: k8s.EnvVar[] = [
      ...databaseEnv,
      // The migration Job owns the schema (LiteLLM's prod guide, "Use Helm PreSync Hook for Database
      // Migrations"); replicas pushing it concurrently on start race each other.
      ...(migrate ? [{ name: 'DISABLE_SCHEMA_UPDATE', value: 'true' }] : []),
      // Read by LiteLLM's Redis client (litellm/_redis.py `_get_redis_client_logic`: REDIS_SENTINEL_NODES
      // as a JSON list of [host, port], REDIS_SERVICE_NAME); the Redis promise's failover has no
      // Service for its master, only Sentinels, and no password.
      ...(props.redis !== undefined
        ? [
            { name: 'REDIS_SENTINEL_NODES', value: JSON.stringify([[props.redis.sentinelHost, props.redis.sentinelPort]]) },
            { name: 'REDIS_SERVICE_NAME', value: props.redis.masterName },
          ]
        : []),
      // Required: without a master key LiteLLM either refuses to boot or treats every caller as admin.
      secretRef('LITELLM_MASTER_KEY', credentialsSecret, 'LITELLM_MASTER_KEY', false),
      // Required: it encrypts credentials stored in the database and must never change or go missing.
      secretRef('LITELLM_SALT_KEY', credentialsSecret, 'LITELLM_SALT_KEY', false),
      // Optional: a platform without one provider's key still serves the other models; calls to
      // the keyless model fail with the provider's auth error instead of the whole gateway
      // staying in CreateContainerConfigError.
      ...providerKeys.map((envName) => secretRef(envName, credentialsSecret, envName, true)),
    ];

    const httpGet = (path: string): k8s.HttpGetAction => ({ path, port: k8s.IntOrString.fromString('http') });
    // With Redis, readiness also proves the master answers: a replica cut off from it would count
    // limits in its own memory. Without Redis, LiteLLM's own check (503 while the DB is down).
    const readinessProbe: k8s.Probe = {
      ...(props.redis !== undefined
        ? { exec: { command: ['python', '-c', redisAwareReadinessScript(PORT)] } }
        : { httpGet: httpGet('/health/readiness') }),
      ...CHART_PROBE_TIMINGS.readiness,
    };
    const containerSecurityContext: k8s.SecurityContext = {
      runAsNonRoot: true,
      // The image says `USER nobody` by name; the kubelet can only verify a numeric user.
      // No runAsGroup: the image's passwd entry supplies nobody's group, as under Docker.
      runAsUser: NOBODY,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
      // Writable on purpose: at startup the proxy pushes its schema with prisma and
      // writes under /app/.cache, the prisma package and /var/lib/litellm/ui, all
      // populated by the image, so emptyDirs over them would hide what they need.
      readOnlyRootFilesystem: false,
    };
    const podSecurityContext: k8s.PodSecurityContext = { runAsNonRoot: true, runAsUser: NOBODY, seccompProfile: { type: 'RuntimeDefault' } };
    const quantities = (r: GatewayResources): k8s.ResourceRequirements => ({
      requests: { cpu: k8s.Quantity.fromString(r.cpuRequest), memory: k8s.Quantity.fromString(r.memoryRequest) },
      limits: { cpu: k8s.Quantity.fromString(r.cpuLimit), memory: k8s.Quantity.fromString(r.memoryLimit) },
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        // A new pod must be ready before an old one goes, so a rollout never takes the gateway below
        // its replica count, and so never below the PodDisruptionBudget either.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels, annotations: podAnnotations },
          spec: {
            // LiteLLM never calls the Kubernetes API.
            automountServiceAccountToken: false,
            // A Service named `litellm` would inject LITELLM_PORT and friends into LiteLLM's own
            // settings namespace; the gateway finds nothing through service links anyway.
            enableServiceLinks: false,
            // Lets in-flight completions (often tens of seconds) finish on rollout, as the chart does.
            terminationGracePeriodSeconds: 90,
            securityContext: podSecurityContext,
            ...(replicas > 1 ? { topologySpreadConstraints: spreadConstraints(selector) } : {}),
            containers: [
              {
                name: 'litellm',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['--config', `${CONFIG_DIR}/${CONFIG_FILE}`, '--port', String(PORT)],
                ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
                env,
                volumeMounts: [{ name: 'config', mountPath: `${CONFIG_DIR}/${CONFIG_FILE}`, subPath: CONFIG_FILE, readOnly: true }],
                resources: quantities(resources),
                // The official chart's probes and timings. /health would call every upstream model (billable).
                livenessProbe: { httpGet: httpGet('/health/liveliness'), ...CHART_PROBE_TIMINGS.liveness },
                readinessProbe,
                startupProbe: { httpGet: httpGet('/health/readiness'), ...CHART_PROBE_TIMINGS.startup },
                securityContext: containerSecurityContext,
              },
            ],
            volumes: [configVolume],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'http', port: PORT, targetPort: k8s.IntOrString.fromNumber(PORT), protocol: 'TCP' }],
      },
    });

    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: {
          selector: { matchLabels: selector },
          // One pod at a time may be evicted (a drain goes node by node, never all at once).
          maxUnavailable: k8s.IntOrString.fromNumber(1),
          // A pod that is not ready serves nobody: evicting it must not block a drain.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    if (migrate) {
      const migrationLabels = { ...labels, 'app.kubernetes.io/name': LiteLLMGateway.MIGRATIONS_APP };
      this.migrationPodSelector = { 'app.kubernetes.io/name': LiteLLMGateway.MIGRATIONS_APP, 'app.kubernetes.io/instance': this.name };
      this.migrationJobName = migrationJobName(this.name, image);
      new k8s.KubeJob(this, 'Migrations', {
        metadata: { name: this.migrationJobName, namespace: this.namespace, labels: migrationLabels },
        spec: {
          backoffLimit: 4,
          // No ttlSecondsAfterFinished (the chart's is 120 s, for a Helm or Argo CD hook): a GitOps
          // agent re-creates a Job that disappears from the cluster but not from the State Store, so
          // the migration would re-run every sync. The name changes with the image, and the Work
          // then drops the old Job.
          template: {
            metadata: { labels: migrationLabels },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              restartPolicy: 'OnFailure',
              securityContext: podSecurityContext,
              containers: [
                {
                  name: 'prisma-migrations',
                  image,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['python', 'litellm/proxy/prisma_migration.py'],
                  workingDir: '/app',
                  env: [...databaseEnv, { name: 'DISABLE_SCHEMA_UPDATE', value: 'false' }],
                  resources: quantities(MIGRATION_RESOURCES),
                  securityContext: containerSecurityContext,
                },
              ],
            },
          },
        },
      });
    }
  }
}

/**
 * Spread over nodes (a drain or node failure takes one replica) and, where nodes carry zone labels,
 * over zones. `matchLabelKeys: [pod-template-hash]` counts only the pods of the same rollout, so a
 * rolling update is not skewed by the pods it is replacing.
 */
function spreadConstraints(selector: Record<string, string>): k8s.TopologySpreadConstraint[] {
  const common = { maxSkew: 1, labelSelector: { matchLabels: selector }, matchLabelKeys: ['pod-template-hash'] };
  return [
    { ...common, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' },
    { ...common, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
  ];
}

/**
 * `<name>-migrations-<tag>`: a Job's pod template is immutable, so a new image needs a new Job (and
 * gets one: its migrations run once). A digest, or a name too long for a label value, uses a hash.
 */
export function migrationJobName(name: string, image: string): string {
  const tag = image.includes('@') ? '' : (image.split('/').pop() ?? '').split(':')[1] ?? '';
  const slug = tag.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const candidate = `${name}-migrations-${slug}`;
  if (slug !== '' && candidate.length <= 63) return candidate;
  return `${name}-migrations-${createHash('sha256').update(image).digest('hex').slice(0, 10)}`.slice(0, 63).replace(/-+$/, '');
}
