import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Catalog } from './catalog.js';
import { GatewayServiceMonitor } from './gateway-service-monitor.js';
import { LiteLLMGateway } from './litellm-gateway.js';
import { PostgresClaim } from './postgres-claim.js';
import { type AiPromiseConfig, type AiPromiseConfigProps, gatewayInternalUrl, gatewaySettings, requirePinnedImage, resolvePromiseConfig } from './promise-config.js';
import { RedisClaim } from './redis-claim.js';
import { requestSchema } from './request-schema.js';
import { requireCurrentCertificates } from './secret-delivery.js';
import { DNS_LABEL, ENV_NAME, quote, requireMatch } from './validation.js';

/** The request API the original promise defined; kept so existing requests keep working. */
export const REQUEST_API = { group: 'marketplace.kratix.io', version: 'v1alpha1', kind: 'ai', plural: 'ai' } as const;

/** Env var that carries the resolved AiPromiseConfig (pretty JSON) into every pipeline container. */
export const CONFIG_ENV = 'AI_PROMISE_CONFIG';

/** Env the promise sets itself, or that would put a secret into promise.yaml. */
const RESERVED_PIPELINE_ENV = new Set(['LITELLM_URL', CONFIG_ENV, 'LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY']);

/** Kratix refuses a pipeline whose `<promise>-<type>-<action>-<pipeline>` id exceeds this. */
const MAX_PIPELINE_ID = 60;

export interface AiPromiseProps {
  /**
   * Catalog, namespaces, gateway and database settings.
   * @default resolvePromiseConfig() defaults
   */
  readonly config?: AiPromiseConfigProps;
  /** The pipeline image, pinned; built from this repository's Dockerfile. */
  readonly pipelineImage: string;
  /**
   * Promise version label (`kratix.io/promise-version`).
   * @default no label
   */
  readonly version?: string;
  /**
   * The Promise's own `spec.destinationSelectors`. The pipelines place every output in a directory
   * with its own selector (config `destinations`), which Kratix applies instead of these; they
   * matter only for anything written outside those directories.
   * @default [{ environment: 'dev' }] (the original promise's selector)
   */
  readonly destinationSelectors?: readonly Readonly<Record<string, string>>[];
  /**
   * Extra environment for the pipeline containers, e.g. LITELLM_TIMEOUT_MS, LITELLM_CALL_TIMEOUT_MS
   * or LITELLM_MAX_ATTEMPTS. Never put secrets here: promise.yaml is committed.
   * @default none
   */
  readonly pipelineEnv?: Readonly<Record<string, string>>;
  /**
   * Base URL the pipelines call LiteLLM at.
   * @default the gateway's in-cluster Service URL
   */
  readonly litellmUrl?: string;
}

type WorkflowType = 'promise' | 'resource';
type WorkflowAction = 'configure' | 'delete';

/**
 * The Kratix Promise `ai`: the request API (CRD generated from the catalog), the three workflows
 * that all run the one pipeline image, and the dependency on the PostgreSQL promise.
 */
export class AiPromise extends Construct {
  readonly config: AiPromiseConfig;
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: AiPromiseProps) {
    super(scope, id);
    this.config = resolvePromiseConfig(props.config);
    requirePinnedImage('pipelineImage', props.pipelineImage);
    const catalog = new Catalog(this.config.catalog);
    validatePlatformSide(this.config, catalog);
    // Synth is where an expired sealing certificate should be caught, not at a request's next run.
    requireCurrentCertificates(this.config.secretDelivery, new Date());
    const selectors = props.destinationSelectors ?? [{ environment: 'dev' }];
    selectors.forEach((s, i) => {
      if (Object.keys(s).length === 0) throw new Error(`destinationSelectors[${i}] ${quote(s)} has no labels: Kratix requires matchLabels`);
    });
    const litellmUrl = props.litellmUrl ?? gatewayInternalUrl(this.config);
    const extraEnv = Object.entries(props.pipelineEnv ?? {});
    for (const [name] of extraEnv) {
      requireMatch('pipelineEnv name', name, ENV_NAME, 'is not an environment variable name (A-Z, 0-9, _)');
      if (RESERVED_PIPELINE_ENV.has(name) || name.startsWith('KRATIX_')) throw new Error(`pipelineEnv ${quote(name)} is set by the promise or by Kratix itself`);
    }
    const env = [
      { name: 'LITELLM_URL', value: litellmUrl },
      { name: CONFIG_ENV, value: diffableJson(this.config) },
      ...extraEnv.sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
    ];
    const pipeline = (type: WorkflowType, action: WorkflowAction, name: string, needsCredentials: boolean) =>
      pipelineObject({ promise: 'ai', type, action, name, image: props.pipelineImage, env: needsCredentials ? [...env, ...credentialsEnv(this.config)] : env });

    // The marketplace's marker for promises that publish Backstage entities (config `backstage`).
    const labels: Record<string, string> = { 'kratix.io/backstage': String(this.config.backstage.enabled) };
    if (props.version !== undefined) labels['kratix.io/promise-version'] = props.version;

    this.apiObject = new ApiObject(this, 'promise', {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'Promise',
      metadata: { name: 'ai', labels },
      spec: {
        destinationSelectors: selectors.map((matchLabels) => ({ matchLabels })),
        // Above one gateway replica the promise also requests a Redis (config gatewayHa).
        requiredPromises: [{ name: 'postgresql' }, ...(this.config.gateway.replicas > 1 ? [{ name: 'redis' }] : [])],
        api: {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: `${REQUEST_API.plural}.${REQUEST_API.group}` },
          spec: {
            group: REQUEST_API.group,
            names: { kind: REQUEST_API.kind, plural: REQUEST_API.plural, singular: REQUEST_API.kind },
            scope: 'Namespaced',
            versions: [
              {
                name: REQUEST_API.version,
                served: true,
                storage: true,
                // Kratix adds its own `message` and `status` (Reconciled condition) columns only to a
                // CRD without columns (internal/controller/promise_controller.go,
                // setStatusFieldsOnCRD): defining ours means carrying both equivalents ourselves.
                additionalPrinterColumns: [
                  { name: 'Tier', type: 'string', jsonPath: '.spec.tier' },
                  { name: 'Team', type: 'string', jsonPath: '.spec.team' },
                  { name: 'UI', type: 'boolean', jsonPath: '.spec.ui' },
                  { name: 'Message', type: 'string', jsonPath: '.status.message' },
                  { name: 'Budget Used %', type: 'number', jsonPath: '.status.ai.usage.budgetUsedPercent' },
                  { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Reconciled")].message' },
                  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
                ],
                schema: { openAPIV3Schema: requestSchema(catalog) },
              },
            ],
          },
        },
        workflows: {
          // Every workflow runs in the platform namespace, never in the requester's: whoever can
          // create pods in a namespace can run them as its service accounts and read what they read.
          config: { pipelineNamespace: this.config.platformNamespace },
          promise: { configure: [pipeline('promise', 'configure', 'gateway', false)] },
          resource: {
            configure: [pipeline('resource', 'configure', 'provision', true)],
            delete: [pipeline('resource', 'delete', 'deprovision', true)],
          },
        },
      },
    });
  }
}

/**
 * Builds the promise-level constructs once, off to the side, so a bad gateway or database setting
 * fails `npm run synth` with the constructs' own messages instead of failing later in the pipeline.
 */
function validatePlatformSide(config: AiPromiseConfig, catalog: Catalog): void {
  const scratch = new Chart(new App(), 'validate');
  const database = new PostgresClaim(scratch, 'database', { namespace: config.platformNamespace, ...config.database });
  const redis =
    config.gateway.replicas > 1
      ? new RedisClaim(scratch, 'redis', { namespace: config.platformNamespace, name: config.gatewayHa.redis.name, size: config.gatewayHa.redis.size })
      : undefined;
  const gateway = new LiteLLMGateway(scratch, 'gateway', { catalog, database, redis, ...gatewaySettings(config) });
  if (config.metrics.serviceMonitor) new GatewayServiceMonitor(scratch, 'service-monitor', { gateway, bearerTokenSecret: config.metrics.bearerTokenSecret });
}

interface PipelineOptions {
  readonly promise: string;
  readonly type: WorkflowType;
  readonly action: WorkflowAction;
  readonly name: string;
  readonly image: string;
  readonly env: readonly Readonly<Record<string, unknown>>[];
}

/**
 * The master key and the derivation secret as `secretKeyRef`s to the credentials Secret. The
 * pipelines run in the platform namespace, where that Secret lives, so no pipeline needs any
 * Kubernetes API permission on Secrets, and the values never appear in promise.yaml.
 */
function credentialsEnv(config: AiPromiseConfig): Record<string, unknown>[] {
  const ref = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: config.credentialsSecret, key } } });
  return [ref('LITELLM_MASTER_KEY', 'LITELLM_MASTER_KEY'), ref('LITELLM_SALT_KEY', config.derivationSecretKey)];
}

/**
 * A Kratix Pipeline object. Kratix decodes it strictly, so containers carry only the fields it
 * allows (name, image, env, resources, securityContext, ...).
 */
function pipelineObject(o: PipelineOptions): Record<string, unknown> {
  requireMatch('pipeline name', o.name, DNS_LABEL, 'is not a lowercase DNS label');
  const pipelineId = `${o.promise}-${o.type}-${o.action}-${o.name}`;
  if (pipelineId.length > MAX_PIPELINE_ID) {
    throw new Error(`pipeline id ${quote(pipelineId)} is ${pipelineId.length} characters; Kratix allows at most ${MAX_PIPELINE_ID}`);
  }
  const spec = {
    containers: [
      {
        name: 'pipeline',
        image: o.image,
        imagePullPolicy: 'IfNotPresent',
        env: o.env,
        // Sized for one short Node process (about 60 MiB RSS); the CPU limit is above Kratix's 200m
        // default because start-up is CPU-bound and throttling stretches it.
        resources: { requests: { cpu: '100m', memory: '96Mi' }, limits: { cpu: '500m', memory: '192Mi' } },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 1000,
          runAsGroup: 1000,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
      },
    ],
  };
  return { apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Pipeline', metadata: { name: o.name }, spec };
}

/**
 * JSON with one line per tier, model and setting: short enough to read in promise.yaml, and a
 * catalog change shows up in review as a one-line diff.
 */
export function diffableJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return JSON.stringify(value);
    return `[\n${value.map((v) => `${indent}  ${JSON.stringify(v)}`).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    const body = entries.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${diffableJson(v, `${indent}  `)}`).join(',\n');
    return `{\n${body}\n${indent}}`;
  }
  return JSON.stringify(value);
}
