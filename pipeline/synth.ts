import { App, Chart, Yaml } from 'cdk8s';
import {
  type AiPromiseConfig,
  Catalog,
  LiteLLMGateway,
  OpenWebUIApp,
  PostgresClaim,
  TeamTier,
  type TeamTierProps,
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

function render(build: (chart: Chart) => void): string {
  const chart = new Chart(new App(), 'chart');
  build(chart);
  return Yaml.stringify(...chart.toJson());
}

/** Promise configure: the gateway and the database request; references to Secrets, no values. */
export function promiseOutputs(config: AiPromiseConfig): Outputs {
  const catalog = new Catalog(config.catalog);
  let claim!: PostgresClaim;
  const database = render((chart) => {
    claim = new PostgresClaim(chart, 'database', { namespace: config.platformNamespace, ...config.database });
  });
  const gateway = render((chart) => {
    new LiteLLMGateway(chart, 'gateway', {
      catalog,
      database: claim,
      namespace: config.platformNamespace,
      name: config.gateway.name,
      image: config.gateway.image,
      replicas: config.gateway.replicas,
      credentialsSecret: config.credentialsSecret,
      useCredentialsSecretConfig: config.gateway.useCredentialsSecretConfig,
    });
  });
  return new Map([
    [`${PLATFORM_DIR}/postgres-claim.yaml`, database],
    [`${PLATFORM_DIR}/litellm-gateway.yaml`, gateway],
  ]);
}

export interface ResourceOutputOptions {
  readonly config: AiPromiseConfig;
  readonly teamTier: Omit<TeamTierProps, 'catalog'>;
  readonly ui: boolean;
  readonly webuiSecretKey: string;
}

/** Resource configure: the key Secret and, when asked for, the Open WebUI, in the request's namespace. */
export function resourceOutputs(o: ResourceOutputOptions): { outputs: Outputs; teamTier: TeamTier; uiUrl?: string } {
  const catalog = new Catalog(o.config.catalog);
  let teamTier!: TeamTier;
  const outputs: Outputs = new Map();
  outputs.set(
    `${WORKLOAD_DIR}/team-tier.yaml`,
    render((chart) => {
      teamTier = new TeamTier(chart, 'team-tier', { catalog, ...o.teamTier });
    }),
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
        });
        uiUrl = app.url;
      }),
    );
  }
  return { outputs, teamTier, ...(uiUrl ? { uiUrl } : {}) };
}
