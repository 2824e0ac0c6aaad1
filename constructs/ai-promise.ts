import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Catalog } from './catalog.js';
import { LiteLLMGateway } from './litellm-gateway.js';
import { PostgresClaim } from './postgres-claim.js';
import { type AiPromiseConfig, type AiPromiseConfigProps, gatewayInternalUrl, gatewaySettings, requirePinnedImage, resolvePromiseConfig } from './promise-config.js';
import { requestSchema } from './request-schema.js';
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
    const pipeline = (type: WorkflowType, action: WorkflowAction, name: string, readsCredentials: boolean) =>
      pipelineObject({ promise: 'ai', type, action, name, image: props.pipelineImage, env, credentials: readsCredentials ? this.config : undefined });

    // The marketplace's marker for promises that publish Backstage entities (config `backstage`).
    const labels: Record<string, string> = { 'kratix.io/backstage': String(this.config.backstage.enabled) };
    if (props.version !== undefined) labels['kratix.io/promise-version'] = props.version;

    this.apiObject = new ApiObject(this, 'promise', {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'Promise',
      metadata: { name: 'ai', labels },
      spec: {
        destinationSelectors: selectors.map((matchLabels) => ({ matchLabels })),
        requiredPromises: [{ name: 'postgresql' }],
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
                additionalPrinterColumns: [
                  { name: 'Tier', type: 'string', jsonPath: '.spec.tier' },
                  { name: 'Team', type: 'string', jsonPath: '.spec.team' },
                  { name: 'UI', type: 'boolean', jsonPath: '.spec.ui' },
                  { name: 'Budget Used %', type: 'number', jsonPath: '.status.ai.usage.budgetUsedPercent' },
                  { name: 'Status', type: 'string', jsonPath: '.status.message' },
                  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
                ],
                schema: { openAPIV3Schema: requestSchema(catalog) },
              },
            ],
          },
        },
        workflows: {
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
  new LiteLLMGateway(scratch, 'gateway', { catalog, database, ...gatewaySettings(config) });
}

interface PipelineOptions {
  readonly promise: string;
  readonly type: WorkflowType;
  readonly action: WorkflowAction;
  readonly name: string;
  readonly image: string;
  readonly env: readonly { name: string; value: string }[];
  /** Set when the pipeline reads the credentials Secret through the Kubernetes API. */
  readonly credentials: AiPromiseConfig | undefined;
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
  const spec: Record<string, unknown> = {
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
  if (o.credentials) {
    // Least privilege: read one Secret in one namespace (the original granted get/list/watch on
    // every Secret in the cluster).
    spec.rbac = {
      permissions: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [o.credentials.credentialsSecret],
          verbs: ['get'],
          resourceNamespace: o.credentials.platformNamespace,
        },
      ],
    };
  }
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
