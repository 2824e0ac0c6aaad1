import { App, Chart, Yaml } from 'cdk8s';
import {
  type AiPromiseConfig,
  BackstagePromiseEntities,
  BackstageRequestComponent,
  Catalog,
  gatewaySettings,
  DatabaseNetworkPolicy,
  GatewayNetworkPolicy,
  GatewayServiceMonitor,
  LiteLLMGateway,
  OpenWebUIApp,
  OpenWebUINetworkPolicy,
  PostgresClaim,
  type SecretSealer,
  RedisClaim,
  RedisNetworkPolicy,
  TeamTier,
  type TeamTierProps,
  sealSecrets,
} from '../constructs/index.js';

/** Output files of one run: path under /kratix/output to YAML. Paths are stable across runs. */
export type Outputs = Map<string, string>;

/**
 * Top-level output directories. Each is named in destination-selectors.yaml, so Kratix schedules
 * it by its own labels: the gateway side to the platform cluster, each request's objects to the
 * cluster its selector (or the platform default) picks.
 */
export const PLATFORM_DIR = 'platform';
export const WORKLOAD_DIR = 'workload';
/** Backstage catalog entities, for the Backstage Destination (the Kratix marketplace convention). */
export const BACKSTAGE_DIR = 'backstage';

/** The `destination-selectors.yaml` entry of the Backstage directory, when the entities are on. */
export function backstageSelectors(config: AiPromiseConfig): { directory: string; matchLabels: Readonly<Record<string, string>> }[] {
  return config.backstage.enabled ? [{ directory: BACKSTAGE_DIR, matchLabels: config.backstage.destination }] : [];
}

function render(build: (chart: Chart) => void, seal?: SecretSealer): string {
  const chart = new Chart(new App(), 'chart');
  build(chart);
  if (seal) sealSecrets(chart, seal);
  return Yaml.stringify(...chart.toJson());
}

/**
 * Promise configure: the gateway and the database request; references to Secrets, no values. Above
 * one gateway replica, also the Redis request its replicas share their counters through. With
 * network policies on (the default), also the ingress policies of the gateway, its database and its
 * Redis; with `metrics.serviceMonitor`, a ServiceMonitor.
 */
export function promiseOutputs(config: AiPromiseConfig): Outputs {
  const catalog = new Catalog(config.catalog);
  let claim!: PostgresClaim;
  const database = render((chart) => {
    claim = new PostgresClaim(chart, 'database', { namespace: config.platformNamespace, ...config.database });
  });
  let redisClaim: RedisClaim | undefined;
  const redis =
    config.gateway.replicas > 1
      ? render((chart) => {
          redisClaim = new RedisClaim(chart, 'redis', { namespace: config.platformNamespace, name: config.gatewayHa.redis.name, size: config.gatewayHa.redis.size });
        })
      : undefined;
  let gatewayConstruct!: LiteLLMGateway;
  const gateway = render((chart) => {
    gatewayConstruct = new LiteLLMGateway(chart, 'gateway', { catalog, database: claim, redis: redisClaim, ...gatewaySettings(config) });
  });
  // Each file of its own: a setting turned off drops its file from the Work, and the Destination's
  // GitOps agent removes what it held.
  const outputs: Outputs = new Map([
    [`${PLATFORM_DIR}/postgres-claim.yaml`, database],
    ...(redis !== undefined ? [[`${PLATFORM_DIR}/redis-claim.yaml`, redis] as const] : []),
    [`${PLATFORM_DIR}/litellm-gateway.yaml`, gateway],
  ]);
  if (config.networkPolicies.enabled) {
    // A file of their own: turning the policies off drops it from the Work, so the Destination's
    // GitOps agent removes them.
    outputs.set(
      `${PLATFORM_DIR}/network-policies.yaml`,
      render((chart) => {
        new GatewayNetworkPolicy(chart, 'gateway-network-policy', {
          gateway: gatewayConstruct,
          clientNamespaces: config.networkPolicies.gatewayClientNamespaces,
        });
        new DatabaseNetworkPolicy(chart, 'database-network-policy', {
          database: claim,
          gateway: gatewayConstruct,
          operatorNamespace: config.networkPolicies.postgresOperatorNamespace,
        });
        if (redisClaim !== undefined) new RedisNetworkPolicy(chart, 'redis-network-policy', { redis: redisClaim, gateway: gatewayConstruct });
      }),
    );
  }
  if (config.metrics.serviceMonitor) {
    outputs.set(
      `${PLATFORM_DIR}/service-monitor.yaml`,
      render((chart) => {
        new GatewayServiceMonitor(chart, 'service-monitor', { gateway: gatewayConstruct, bearerTokenSecret: config.metrics.bearerTokenSecret });
      }),
    );
  }
  if (config.backstage.enabled) {
    outputs.set(
      `${BACKSTAGE_DIR}/ai-promise.yaml`,
      render((chart) => {
        new BackstagePromiseEntities(chart, 'backstage', { catalog, owner: config.backstage.owner, applyAction: config.backstage.applyAction });
      }),
    );
  }
  return outputs;
}

export interface ResourceOutputOptions {
  readonly config: AiPromiseConfig;
  /**
   * The catalog of `config`, when the caller has already built (and so validated) it.
   * @default new Catalog(config.catalog)
   */
  readonly catalog?: Catalog;
  readonly teamTier: Omit<TeamTierProps, 'catalog'>;
  readonly ui: boolean;
  readonly webuiSecretKey: string;
  /**
   * With `sealed-secrets` delivery: seals every Secret of the outputs into a SealedSecret.
   * @default undefined (plain Secrets)
   */
  readonly sealer?: SecretSealer;
  /**
   * Password of the UI's bootstrap admin, used when `config.openWebUIAuth.mode` is closed.
   * @default none (a closed-mode UI then fails to build)
   */
  readonly webuiAdminPassword?: string;
}

/** Resource configure: the key Secret and, when asked for, the Open WebUI, in the request's namespace. */
export function resourceOutputs(o: ResourceOutputOptions): { outputs: Outputs; teamTier: TeamTier; uiUrl?: string } {
  const catalog = o.catalog ?? new Catalog(o.config.catalog);
  let teamTier!: TeamTier;
  const outputs: Outputs = new Map();
  outputs.set(
    `${WORKLOAD_DIR}/team-tier.yaml`,
    render((chart) => {
      teamTier = new TeamTier(chart, 'team-tier', { catalog, ...o.teamTier });
    }, o.sealer),
  );
  let uiUrl: string | undefined;
  if (o.ui) {
    outputs.set(
      `${WORKLOAD_DIR}/open-webui.yaml`,
      render((chart) => {
        const app = new OpenWebUIApp(chart, 'open-webui', {
          name: o.teamTier.requestName,
          namespace: o.teamTier.requestNamespace,
          image: o.config.openWebUIImage,
          size: teamTier.tier.ui,
          gatewayUrl: o.teamTier.gatewayUrl,
          keySecretName: teamTier.secretName,
          keyFingerprint: teamTier.keyFingerprint,
          models: o.teamTier.models,
          webuiSecretKey: o.webuiSecretKey,
          auth: o.config.openWebUIAuth,
          adminPassword: o.webuiAdminPassword,
        });
        uiUrl = app.url;
        if (o.config.networkPolicies.enabled) {
          new OpenWebUINetworkPolicy(chart, 'open-webui-network-policy', { app, fromNamespaces: o.config.openWebUIAuth.trustedHeader?.proxyNamespaces });
        }
      }, o.sealer),
    );
  }
  if (o.config.backstage.enabled) {
    outputs.set(
      `${BACKSTAGE_DIR}/component.yaml`,
      render((chart) => {
        new BackstageRequestComponent(chart, 'backstage', {
          requestName: o.teamTier.requestName,
          requestNamespace: o.teamTier.requestNamespace,
          team: o.teamTier.owner,
          tier: teamTier.tier,
          models: o.teamTier.models,
          gatewayUrl: o.teamTier.gatewayUrl,
          secretName: teamTier.secretName,
          ...(uiUrl ? { uiUrl } : {}),
        });
      }),
    );
  }
  return { outputs, teamTier, ...(uiUrl ? { uiUrl } : {}) };
}
