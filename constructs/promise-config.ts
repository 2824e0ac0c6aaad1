import { Catalog, type CatalogProps } from './catalog.js';
import { type BackstageConfig, resolveBackstage } from './backstage-config.js';
import { DEFAULT_GATEWAY_RESOURCES, type GatewayResources } from './litellm-gateway.js';
import { type OpenWebUIAuthConfig, type OpenWebUIAuthProps, resolveOpenWebUIAuth } from './open-web-ui-auth.js';
import { REDIS_SIZES, type RedisSize } from './redis-claim.js';
import { type SealedSecretsDelivery, type SecretDeliveryProps, resolveSecretDelivery } from './secret-delivery.js';
import { DNS_1035_LABEL, DNS_LABEL, notOneOf, QUANTITY, quote, requireMatch, requirePositive } from './validation.js';

/**
 * Everything a platform sets about this promise, in one serialisable object. main.ts builds the
 * Promise from it, and the Promise hands it to every pipeline as the `AI_PROMISE_CONFIG` env var,
 * so promise.yaml is the one artifact that carries the catalog: the CRD enum and the pipeline's
 * validation can never disagree, and changing a tier needs no new pipeline image.
 */
export interface AiPromiseConfigProps {
  /**
   * Tiers and models.
   * @default Catalog.DEFAULT (the original promise's tiers and models)
   */
  readonly catalog?: CatalogProps;
  /**
   * Namespace on the platform cluster for the gateway, its database, the credentials Secret and
   * every workflow of this promise (Kratix `spec.workflows.config.pipelineNamespace`). It must exist
   * before the Promise is applied, and tenants must hold no rights in it: whoever can create pods
   * or impersonate service accounts there can read the master key.
   * @default 'ai-platform'
   */
  readonly platformNamespace?: string;
  /**
   * Name of the Secret with `LITELLM_MASTER_KEY`, `LITELLM_SALT_KEY` and the providers' API keys.
   * @default 'litellm-creds'
   */
  readonly credentialsSecret?: string;
  /**
   * Key (entry) of the credentials Secret that every request's virtual key and Open WebUI secret
   * are derived from; the pipelines receive it as `LITELLM_SALT_KEY`. LiteLLM's own salt key must
   * never change, so a platform that wants to be able to rotate the derivation secret points this
   * at an entry of its own (see docs/security.md). Changing it rotates every request's key on the
   * next run of each request.
   * @default 'LITELLM_SALT_KEY' (the keys existing installs were derived from)
   */
  readonly derivationSecretKey?: string;
  /**
   * The LiteLLM gateway deployment.
   * @default see GatewayConfig
   */
  readonly gateway?: Partial<GatewayConfig>;
  /**
   * The PostgreSQL request for the gateway's database.
   * @default see DatabaseConfig
   */
  readonly database?: Partial<DatabaseConfig>;
  /**
   * Open WebUI container image, pinned.
   * @default OPEN_WEBUI_IMAGE
   */
  readonly openWebUIImage?: string;
  /**
   * Where outputs go: Destination labels for the platform side and the default for requests.
   * @default see DestinationsConfig
   */
  readonly destinations?: Partial<DestinationsConfig>;
  /**
   * NetworkPolicies for the gateway, its database and each request's Open WebUI.
   * @default see NetworkPoliciesConfig (on; the gateway reachable from every namespace)
   */
  readonly networkPolicies?: Partial<NetworkPoliciesConfig>;
  /**
   * When LiteLLM cannot be reached (connection refused, timeouts, 5xx or 429 after every retry), a
   * resource configure run asks Kratix to run it again after this Go duration (`workflow-control.yaml`
   * `retryAfter`, e.g. `2m`) and exits 0, instead of failing. Without it, a failed run waits for
   * Kratix's next reconciliation (10h by default), which hurts most on a first install, while the
   * gateway is still starting. Needs Kratix with PRs #750/#753 (March 2026): before them a retrying
   * run replaced the request's Work with its empty output, deleting what had been delivered.
   * @default '' (off: the run fails with exit 1)
   */
  readonly retryWhenLiteLLMUnavailable?: string;
  /**
   * How each request's key and UI secret travel through the State Store: plain Secrets, or
   * SealedSecrets sealed for the cluster the request lands on (docs/sealed-secrets.md).
   * @default { mode: 'plain' }
   */
  readonly secretDelivery?: SecretDeliveryProps;
  /**
   * What the gateway needs above one replica: the Redis that makes its replicas share one set of
   * rate-limit counters, and the resources of each replica.
   * @default see GatewayHaConfig
   */
  readonly gatewayHa?: GatewayHaConfigProps;
  /**
   * LiteLLM's Prometheus metrics and a ServiceMonitor for them.
   * @default see MetricsConfig (off)
   */
  readonly metrics?: Partial<MetricsConfig>;
  /**
   * Backstage entities: a Component and a scaffolder Template for the promise, a Component per
   * request, written to `backstage/` and scheduled to the Backstage Destination.
   * @default see BackstageConfig (on, Destinations labelled environment=backstage)
   */
  readonly backstage?: Partial<BackstageConfig>;
  /**
   * How people sign in to each request's Open WebUI.
   * @default { mode: 'closed' } (no self sign-up; a bootstrap admin per UI)
   */
  readonly openWebUIAuth?: OpenWebUIAuthProps;
}

/**
 * Ingress NetworkPolicies (networking.k8s.io/v1). They only restrict ingress: egress stays open
 * because the gateway calls model providers on the internet and the pipelines call the gateway.
 * They need a CNI that enforces NetworkPolicies; without one they are accepted and ignored.
 */
export interface NetworkPoliciesConfig {
  /**
   * Write the gateway, database and Open WebUI policies. Turn off when the platform manages
   * NetworkPolicies itself.
   * @default true
   */
  readonly enabled: boolean;
  /**
   * `matchLabels` of the namespaces whose pods may call the gateway on port 4000. Absent means
   * every namespace: each team's apps call it with their key. When set, it must select the
   * namespaces the UIs and apps run in, and the ingress controller's namespace if `publicUrl` is
   * served through one. The platform namespace, where the pipelines run, is always allowed.
   * @default every namespace
   */
  readonly gatewayClientNamespaces?: Readonly<Record<string, string>>;
  /**
   * Namespace of the Zalando postgres-operator that manages the database. It must reach the
   * database pods (Patroni API and PostgreSQL) to create roles and manage failover.
   * @default 'default' (where the PostgreSQL promise installs the operator)
   */
  readonly postgresOperatorNamespace: string;
}

/**
 * Kratix Destination labels (`matchLabels`). The pipelines write outputs into two directories and
 * name them in `destination-selectors.yaml`, so each directory is scheduled by its own labels only.
 */
export interface DestinationsConfig {
  /**
   * The platform cluster: the gateway and its PostgreSQL request (which Kratix must reconcile, so
   * this Destination is the platform cluster itself).
   */
  readonly platform: Readonly<Record<string, string>>;
  /** Default for each request's key Secret and UI; a request may choose its own (spec.destinationSelector). */
  readonly workloads: Readonly<Record<string, string>>;
}

export interface GatewayConfig {
  /** Name of the Deployment, Service and ConfigMap. */
  readonly name: string;
  /** LiteLLM image, pinned to an exact tag. */
  readonly image: string;
  /** Gateway replicas. */
  readonly replicas: number;
  /**
   * Mount `config.yaml` from the credentials Secret instead of the one generated from the catalog.
   * For users of the original promise whose Secret carries its own model_list; the trade-off is that
   * the CRD enum no longer describes what the gateway serves.
   */
  readonly useCredentialsSecretConfig: boolean;
  /**
   * URL clients outside the platform cluster use (issue: multi-cluster); empty means the in-cluster
   * Service URL is the only endpoint.
   */
  readonly publicUrl: string;
}

export interface DatabaseConfig {
  /** Name of the PostgreSQL request. */
  readonly name: string;
  /** PostgreSQL promise `teamId`: the owning role, and the prefix of the instance name. */
  readonly teamId: string;
  /** Database name. */
  readonly dbName: string;
  /** PostgreSQL promise `env`: `dev` or `prod`. */
  readonly env: 'dev' | 'prod';
  /** PostgreSQL promise `backupEnabled`. */
  readonly backupEnabled: boolean;
}

/** A fully resolved config: every field explicit, as it appears in promise.yaml. */
export interface AiPromiseConfig {
  readonly catalog: Required<CatalogProps>;
  readonly platformNamespace: string;
  readonly credentialsSecret: string;
  readonly derivationSecretKey: string;
  readonly gateway: GatewayConfig;
  readonly database: DatabaseConfig;
  readonly openWebUIImage: string;
  readonly destinations: DestinationsConfig;
  readonly networkPolicies: NetworkPoliciesConfig;
  readonly retryWhenLiteLLMUnavailable: string;
  /** Present only with `sealed-secrets`: a plain config resolves (and serialises) as before. */
  readonly secretDelivery?: SealedSecretsDelivery;
  readonly gatewayHa: GatewayHaConfig;
  readonly metrics: MetricsConfig;
  readonly backstage: BackstageConfig;
  readonly openWebUIAuth: OpenWebUIAuthConfig;
}

/** Where the gateway runs and every workflow of the promise runs: a namespace of its own. */
export const DEFAULT_PLATFORM_NAMESPACE = 'ai-platform';

/** A key of a Secret's `data`, as Kubernetes validates it. */
const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/**
 * Pinned images. LiteLLM's non-root build runs under the restricted Pod Security profile. v1.81.0 is
 * the first release with every management API the pipeline uses (`/key/list?status=deleted`, PR
 * #19260, which the "never revive a revoked key" check needs); this is that release's
 * `-stable` tag (BerriAI/litellm docs/my-website/release_notes/v1.81.0/index.md).
 * The pipeline refuses an older proxy (MINIMUM_LITELLM_VERSION in pipeline/litellm-version.ts).
 */
export const LITELLM_IMAGE = 'ghcr.io/berriai/litellm-non_root:main-v1.81.0-stable';
/**
 * 0.11.0 is the app version of Open WebUI's chart 16.0.0 and the first line of releases that reads
 * the bootstrap-admin variables (`WEBUI_ADMIN_EMAIL`/`PASSWORD`/`NAME`, `backend/open_webui/env.py`)
 * that the default `closed` sign-in needs; every variable the UI gets was checked against it
 * (test/support/open-webui-release.ts lists them with their sources).
 */
export const OPEN_WEBUI_IMAGE = 'ghcr.io/open-webui/open-webui:0.11.0';

/** Fills every default and validates; resolving an already resolved config returns an equal one. */
export function resolvePromiseConfig(props: AiPromiseConfigProps = {}): AiPromiseConfig {
  const catalog = new Catalog(props.catalog ?? Catalog.DEFAULT.props);
  const platformNamespace = props.platformNamespace ?? DEFAULT_PLATFORM_NAMESPACE;
  requireMatch('platformNamespace', platformNamespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
  const credentialsSecret = props.credentialsSecret ?? 'litellm-creds';
  requireMatch('credentialsSecret', credentialsSecret, DNS_LABEL, 'is not a Secret name (lowercase DNS label)');
  const derivationSecretKey = props.derivationSecretKey ?? 'LITELLM_SALT_KEY';
  requireMatch('derivationSecretKey', derivationSecretKey, SECRET_DATA_KEY, 'is not a Secret key (letters, digits, -, _ and .)');
  if (derivationSecretKey === 'LITELLM_MASTER_KEY') {
    throw new Error(`derivationSecretKey ${quote(derivationSecretKey)} would derive every request's key from the admin credential: use LITELLM_SALT_KEY or a key of its own`);
  }

  const gateway: GatewayConfig = {
    name: props.gateway?.name ?? 'litellm',
    image: props.gateway?.image ?? LITELLM_IMAGE,
    replicas: props.gateway?.replicas ?? 1,
    useCredentialsSecretConfig: props.gateway?.useCredentialsSecretConfig ?? false,
    publicUrl: props.gateway?.publicUrl ?? '',
  };
  requireMatch('gateway.name', gateway.name, DNS_1035_LABEL, 'is not a Service name (DNS-1035 label)');
  requirePinnedImage('gateway.image', gateway.image);
  requirePositive('gateway.replicas', gateway.replicas, true);
  if (gateway.publicUrl !== '') {
    requireHttpUrl('gateway.publicUrl', gateway.publicUrl);
    // Clients get `<publicUrl>/v1`: a trailing slash or /v1 here would produce `//v1` or `/v1/v1`.
    if (/\/$|\/v1$/.test(gateway.publicUrl)) {
      throw new Error(`gateway.publicUrl ${quote(gateway.publicUrl)} must not end in / or /v1: give the base URL, such as https://ai.example.com`);
    }
  }

  const database: DatabaseConfig = {
    name: props.database?.name ?? 'litellm',
    teamId: props.database?.teamId ?? 'litellm',
    dbName: props.database?.dbName ?? 'litellm',
    env: props.database?.env ?? 'dev',
    backupEnabled: props.database?.backupEnabled ?? false,
  };
  if (database.env !== 'dev' && database.env !== 'prod') throw new Error(notOneOf('database.env', database.env, ['dev', 'prod']));

  const openWebUIImage = props.openWebUIImage ?? OPEN_WEBUI_IMAGE;
  requirePinnedImage('openWebUIImage', openWebUIImage);

  // The original promise sent everything to Destinations labelled environment=dev.
  const destinations: DestinationsConfig = {
    platform: props.destinations?.platform ?? { environment: 'dev' },
    workloads: props.destinations?.workloads ?? { environment: 'dev' },
  };
  requireLabels('destinations.platform', destinations.platform);
  requireLabels('destinations.workloads', destinations.workloads);

  const networkPolicies = resolveNetworkPolicies(props.networkPolicies);
  const retryWhenLiteLLMUnavailable = props.retryWhenLiteLLMUnavailable ?? '';
  // Kratix parses retryAfter with Go's time.ParseDuration: `1d` is not valid there.
  if (retryWhenLiteLLMUnavailable !== '' && !/^[1-9][0-9]{0,4}(s|m|h)$/.test(retryWhenLiteLLMUnavailable)) {
    throw new Error(`retryWhenLiteLLMUnavailable ${quote(retryWhenLiteLLMUnavailable)} is not a duration Kratix accepts, such as 90s, 2m or 1h`);
  }

  const openWebUIAuth = resolveOpenWebUIAuth(props.openWebUIAuth);
  // Anyone who reaches the pod could send the header: the UI's NetworkPolicy must admit the proxy only.
  if (openWebUIAuth.mode === 'trusted-header' && !networkPolicies.enabled) {
    throw new Error("openWebUIAuth mode 'trusted-header' needs networkPolicies.enabled: only the proxy may reach the UI");
  }

  return {
    catalog: { tiers: catalog.tiers, models: catalog.models, defaultTier: catalog.defaultTier },
    platformNamespace,
    credentialsSecret,
    derivationSecretKey,
    gateway,
    database,
    openWebUIImage,
    destinations,
    networkPolicies,
    retryWhenLiteLLMUnavailable,
    ...sealedSecretsDelivery(props.secretDelivery, destinations.workloads),
    gatewayHa: resolveGatewayHa(props.gatewayHa, gateway),
    metrics: resolveMetrics(props.metrics),
    backstage: resolveBackstage(props.backstage),
    openWebUIAuth,
  };
}

function sealedSecretsDelivery(props: SecretDeliveryProps | undefined, workloads: Readonly<Record<string, string>>): { secretDelivery?: SealedSecretsDelivery } {
  const secretDelivery = resolveSecretDelivery(props, workloads);
  return secretDelivery ? { secretDelivery } : {};
}

function resolveNetworkPolicies(props: Partial<NetworkPoliciesConfig> | undefined): NetworkPoliciesConfig {
  const enabled = props?.enabled ?? true;
  if (typeof enabled !== 'boolean') throw new Error(`networkPolicies.enabled ${quote(enabled)} is not true or false`);
  const postgresOperatorNamespace = props?.postgresOperatorNamespace ?? 'default';
  requireMatch('networkPolicies.postgresOperatorNamespace', postgresOperatorNamespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
  const clients = props?.gatewayClientNamespaces;
  // Absent, not `{}`, means every namespace: an empty map would read as "no labels required" in
  // a selector but as a mistake here, so it is refused. The key is left out rather than set to
  // undefined, so a resolved config resolves to an equal one and survives the JSON round trip.
  if (clients !== undefined) requireLabels('networkPolicies.gatewayClientNamespaces', clients);
  return { enabled, ...(clients !== undefined ? { gatewayClientNamespaces: { ...clients } } : {}), postgresOperatorNamespace };
}

/** In-cluster URL of the gateway Service. */
export function gatewayInternalUrl(config: AiPromiseConfig): string {
  return `http://${config.gateway.name}.${config.platformNamespace}.svc.cluster.local:4000`;
}

/** Rejects untagged and `latest` images: a re-render must never change what runs. */
export function requirePinnedImage(what: string, image: string): void {
  const lastSegment = image.split('/').pop() ?? '';
  const pinned = image.includes('@sha256:') || (lastSegment.includes(':') && !lastSegment.endsWith(':latest'));
  if (!pinned) throw new Error(`${what} ${quote(image)} is not pinned: give an exact tag or digest, not latest`);
}

/** Label key: optional DNS-subdomain prefix and a name of at most 63 characters. */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label key's prefix is a DNS subdomain: at most 253 characters. */
const MAX_LABEL_PREFIX = 253;
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** A non-empty set of valid Kubernetes labels, as Kratix requires of `matchLabels`. */
export function requireLabels(what: string, labels: unknown): void {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || Object.keys(labels).length === 0) {
    throw new Error(`${what} ${quote(labels)} is not a non-empty map of labels`);
  }
  for (const [key, value] of Object.entries(labels)) {
    const prefix = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    if (!LABEL_KEY.test(key) || prefix.length > MAX_LABEL_PREFIX) throw new Error(`${what} label key ${quote(key)} is not a valid label key`);
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) throw new Error(`${what} label ${quote(key)} value ${quote(value)} is not a valid label value`);
  }
}

function requireHttpUrl(what: string, value: string): void {
  let ok = false;
  try {
    const url = new URL(value);
    ok = url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`${what} ${quote(value)} is not an http(s) URL`);
}

/** The LiteLLMGateway settings a config implies, minus the constructs it needs (catalog, database). */
export function gatewaySettings(config: AiPromiseConfig) {
  return {
    namespace: config.platformNamespace,
    name: config.gateway.name,
    image: config.gateway.image,
    replicas: config.gateway.replicas,
    credentialsSecret: config.credentialsSecret,
    useCredentialsSecretConfig: config.gateway.useCredentialsSecretConfig,
    resources: config.gatewayHa.resources,
    responseCaching: config.gatewayHa.redis.responseCaching,
    metrics: config.metrics.enabled,
  } as const;
}

// --- Production gateway (issue: several replicas enforcing one set of limits) ---------------------

/**
 * LiteLLM keeps rpm/tpm counters in each process unless they are shared through Redis, so with N
 * replicas and no Redis a team gets N times its tier. Above one replica the promise therefore
 * requests a Redis from the Kratix marketplace Redis promise and points LiteLLM at it.
 */
export interface GatewayHaConfig {
  readonly redis: RedisConfig;
  /** CPU and memory of each gateway replica. */
  readonly resources: GatewayResources;
}

export interface GatewayHaConfigProps {
  /**
   * The Redis request.
   * @default { name: 'litellm-redis', size: 'large', responseCaching: false }
   */
  readonly redis?: Partial<RedisConfig>;
  /**
   * CPU and memory of each replica; fields left out keep their default.
   * @default DEFAULT_GATEWAY_RESOURCES (requests 500m / 1Gi, limits 2 / 2Gi)
   */
  readonly resources?: Partial<GatewayResources>;
}

/** The Redis request; made only while `gateway.replicas` is above 1. */
export interface RedisConfig {
  /** Name of the request (and of its RedisFailover, which always runs in namespace `default`). */
  readonly name: string;
  /** Redis promise size: `large` (3 Redis, 3 Sentinels) fails over in seconds; `small` is one pod. */
  readonly size: RedisSize;
  /**
   * Let clients opt in to LiteLLM's response cache (`"cache": {"use-cache": true}` in a request).
   * Cached responses are keyed on the request alone, not on the team, so a team that opts in can be
   * served another opted-in team's answer to an identical request. Off: nothing is ever cached and
   * Redis holds counters only.
   */
  readonly responseCaching: boolean;
}

/**
 * LiteLLM's Prometheus metrics: open source since v1.80.0 (release notes v1.80.0-stable, "Prometheus
 * OSS"; before that `litellm/integrations/prometheus.py` served only `litellm_not_a_premium_user_metric`
 * without an enterprise licence).
 */
export interface MetricsConfig {
  /**
   * Turn on LiteLLM's `prometheus` callback. `/metrics` then requires a LiteLLM key
   * (`require_auth_for_metrics_endpoint`), because its labels name every team and its spend.
   */
  readonly enabled: boolean;
  /** Also write a ServiceMonitor (needs the Prometheus Operator's CRD on the platform cluster). */
  readonly serviceMonitor: boolean;
  /** Secret in the platform namespace holding the LiteLLM key Prometheus scrapes with. */
  readonly bearerTokenSecret: { readonly name: string; readonly key: string };
}

function resolveGatewayHa(props: GatewayHaConfigProps | undefined, gateway: GatewayConfig): GatewayHaConfig {
  // The Secret's own config.yaml would have to turn the Redis cache on itself, which the promise can
  // neither write nor check: replicas would then count limits apart without anyone noticing.
  if (gateway.replicas > 1 && gateway.useCredentialsSecretConfig) {
    throw new Error(
      `gateway.replicas ${gateway.replicas} needs the generated config.yaml (it turns on shared rate limits): ` +
        'set gateway.useCredentialsSecretConfig to false, or run one replica',
    );
  }
  const redis: RedisConfig = {
    name: props?.redis?.name ?? 'litellm-redis',
    size: props?.redis?.size ?? 'large',
    responseCaching: props?.redis?.responseCaching ?? false,
  };
  requireMatch('gatewayHa.redis.name', redis.name, DNS_1035_LABEL, 'is not a DNS-1035 label (lowercase letters, digits and -, starting with a letter)');
  if (!REDIS_SIZES.includes(redis.size)) throw new Error(notOneOf('gatewayHa.redis.size', redis.size, REDIS_SIZES));
  if (typeof redis.responseCaching !== 'boolean') throw new Error(`gatewayHa.redis.responseCaching ${quote(redis.responseCaching)} is not true or false`);
  const resources = { ...DEFAULT_GATEWAY_RESOURCES, ...props?.resources };
  for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    requireMatch(`gatewayHa.resources.${field}`, resources[field], QUANTITY, 'is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');
  }
  return { redis, resources };
}

function resolveMetrics(props: Partial<MetricsConfig> | undefined): MetricsConfig {
  const enabled = props?.enabled ?? false;
  const serviceMonitor = props?.serviceMonitor ?? enabled;
  const bearerTokenSecret = { name: props?.bearerTokenSecret?.name ?? 'litellm-metrics-token', key: props?.bearerTokenSecret?.key ?? 'token' };
  if (typeof enabled !== 'boolean') throw new Error(`metrics.enabled ${quote(enabled)} is not true or false`);
  if (typeof serviceMonitor !== 'boolean') throw new Error(`metrics.serviceMonitor ${quote(serviceMonitor)} is not true or false`);
  if (serviceMonitor && !enabled) throw new Error('metrics.serviceMonitor is true but metrics.enabled is false: there would be nothing to scrape');
  requireMatch('metrics.bearerTokenSecret.name', bearerTokenSecret.name, DNS_LABEL, 'is not a Secret name (lowercase DNS label)');
  requireMatch('metrics.bearerTokenSecret.key', bearerTokenSecret.key, /^[-._a-zA-Z0-9]+$/, 'is not a Secret key (letters, digits, -, _ and .)');
  return { enabled, serviceMonitor, bearerTokenSecret };
}
