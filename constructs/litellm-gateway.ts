import { createHash } from 'node:crypto';
import { k8s } from './k8s.js';
import { Construct } from 'constructs';
import { dump } from 'js-yaml';
import type { Catalog } from './catalog.js';
import type { PostgresClaim } from './postgres-claim.js';
import { LITELLM_IMAGE, requirePinnedImage } from './promise-config.js';
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
  };
}

/** LiteLLM's config.yaml for a catalog. Pure: secrets appear only as `os.environ/NAME` references. */
export function liteLLMConfig(catalog: Catalog): LiteLLMConfig {
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
    },
  };
}

/** `liteLLMConfig(catalog)` as the YAML the gateway mounts. */
export function liteLLMConfigYaml(catalog: Catalog): string {
  return dump(liteLLMConfig(catalog), { noRefs: true, lineWidth: -1 });
}

const PORT = 4000;
const CONFIG_DIR = '/etc/litellm';
const CONFIG_FILE = 'config.yaml';
/** `nobody` in the litellm-non_root image, which owns /app and the prisma directories. */
const NOBODY = 65534;
/** Kubernetes Secret names are DNS subdomains. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The LiteLLM proxy: a ConfigMap with config.yaml generated from the catalog, a Deployment and a
 * ClusterIP Service. Secrets reach the pod only as `secretKeyRef`s (no `envFrom`, so the Secret's
 * `config.yaml` key never becomes an env var); the pipeline that renders this never reads them.
 */
export class LiteLLMGateway extends Construct {
  static readonly PORT = PORT;
  /** Pod-template annotation holding the sha256 of config.yaml, so a changed config rolls the pods. */
  static readonly CONFIG_HASH_ANNOTATION = 'ai.kratix.io/config-sha256';

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

    requireMatch('gateway namespace', this.namespace, DNS_LABEL, 'is not a namespace name (lowercase DNS label)');
    requireMatch('gateway name', this.name, DNS_1035_LABEL, 'is not a Service name (DNS-1035 label)');
    if (this.name.length > 63) throw new Error(`gateway name ${quote(this.name)} is longer than 63 characters`);
    requirePinnedImage('gateway image', image);
    requirePositive('gateway replicas', replicas, true);
    requireMatch('gateway credentialsSecret', credentialsSecret, DNS_SUBDOMAIN, 'is not a Secret name (DNS subdomain)');
    for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
      requireMatch(`gateway resources.${field}`, resources[field], QUANTITY, 'is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');
    }
    if (database.instanceNamespace !== this.namespace) {
      throw new Error(
        `gateway namespace ${quote(this.namespace)} differs from the database's instance namespace ` +
          `${quote(database.instanceNamespace)}: a pod can only reference the database Secret in its own namespace`,
      );
    }

    this.serviceName = this.name;
    this.internalUrl = `http://${this.name}.${this.namespace}.svc.cluster.local:${PORT}`;
    this.configYaml = liteLLMConfigYaml(catalog);

    const labels = {
      'app.kubernetes.io/name': 'litellm',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
    // Selectors are immutable: keep them to the two labels that identify this gateway for good.
    const selector = { 'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/instance': this.name };

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

    const env: k8s.EnvVar[] = [
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

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: selector },
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
            securityContext: {
              runAsNonRoot: true,
              runAsUser: NOBODY,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'litellm',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['--config', `${CONFIG_DIR}/${CONFIG_FILE}`, '--port', String(PORT)],
                ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
                env,
                volumeMounts: [{ name: 'config', mountPath: `${CONFIG_DIR}/${CONFIG_FILE}`, subPath: CONFIG_FILE, readOnly: true }],
                resources: {
                  requests: { cpu: k8s.Quantity.fromString(resources.cpuRequest), memory: k8s.Quantity.fromString(resources.memoryRequest) },
                  limits: { cpu: k8s.Quantity.fromString(resources.cpuLimit), memory: k8s.Quantity.fromString(resources.memoryLimit) },
                },
                // The official chart's probes. /health would call every upstream model (billable).
                livenessProbe: { httpGet: httpGet('/health/liveliness') },
                readinessProbe: { httpGet: httpGet('/health/readiness') },
                startupProbe: { httpGet: httpGet('/health/readiness'), failureThreshold: 30, periodSeconds: 10 },
                securityContext: {
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
                },
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
  }
}
