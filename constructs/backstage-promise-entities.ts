import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Catalog } from './catalog.js';
import { REQUEST_API } from './ai-promise.js';
import { isEntityRef } from './backstage-names.js';
import { type StructuralSchema, requestSchema } from './request-schema.js';
import type { TierSpec } from './tiers.js';
import { DNS_1035_LABEL, DNS_LABEL, quote } from './validation.js';

export interface BackstagePromiseEntitiesProps {
  /** The catalog the CRD is generated from: the form offers exactly its tiers and models. */
  readonly catalog: Catalog;
  /** Entity reference of the owning group (config `backstage.owner`). */
  readonly owner: string;
  /** Scaffolder action with inputs `manifest` and `namespaced` (config `backstage.applyAction`). */
  readonly applyAction: string;
}

/** Longest request name the pipeline accepts: `<name>-openwebui` must be a 63-character Service name. */
export const MAX_REQUEST_NAME_IN_FORM = 63 - '-openwebui'.length;

/** The scaffolder form: JSON Schema pages plus Backstage's `ui:` hints. */
export type FormPage = { readonly title: string; readonly required?: readonly string[]; readonly properties: Readonly<Record<string, Record<string, unknown>>> };

/**
 * The promise in Backstage's catalog: a Component for the promise (which each request's Component
 * depends on) and a `scaffolder.backstage.io/v1beta3` Template whose form is generated from the
 * request schema, so it offers exactly the CRD's enums, limits and defaults, and whose one step
 * applies a `kind: ai` request to the platform cluster.
 */
export class BackstagePromiseEntities extends Construct {
  /** `metadata.name` of the promise's Component (namespace `default`). */
  static readonly COMPONENT_NAME = 'ai';
  static readonly TEMPLATE_NAME = 'ai-request';

  readonly component: ApiObject;
  readonly template: ApiObject;
  /** The Template's `spec.parameters`. */
  readonly form: readonly FormPage[];
  /** The manifest the Template's step applies, with `${{ parameters.<name> | dump }}` placeholders. */
  readonly manifest: string;

  constructor(scope: Construct, id: string, props: BackstagePromiseEntitiesProps) {
    super(scope, id);
    if (!isEntityRef(props.owner)) throw new Error(`backstage owner ${quote(props.owner)} is not a Backstage entity reference`);
    this.form = requestForm(props.catalog);
    this.manifest = requestManifest();

    this.component = new ApiObject(this, 'component', {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: BackstagePromiseEntities.COMPONENT_NAME,
        title: 'AI gateway (Kratix promise)',
        description: `LLM access through a LiteLLM gateway: per-request teams with tier limits, a virtual key in a Secret, optional Open WebUI. Tiers: ${props.catalog.tierNames.join(', ')}.`,
        tags: ['kratix', 'ai', 'llm'],
        annotations: { 'backstage.io/kubernetes-id': BackstagePromiseEntities.COMPONENT_NAME },
      },
      spec: { type: 'promise', lifecycle: 'production', owner: props.owner },
    });

    this.template = new ApiObject(this, 'template', {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: {
        name: BackstagePromiseEntities.TEMPLATE_NAME,
        title: 'AI gateway access',
        description: 'Request a LiteLLM team and virtual key for your team, with an optional Open WebUI.',
        tags: ['kratix', 'ai', 'llm'],
      },
      spec: {
        type: 'service',
        owner: props.owner,
        lifecycle: 'production',
        parameters: this.form,
        steps: [
          {
            id: 'request',
            name: 'Request AI gateway access',
            action: props.applyAction,
            input: { namespaced: true, manifest: this.manifest },
          },
        ],
        output: {
          text: [
            {
              title: 'What happens next',
              content:
                'Kratix provisions the team and writes its key to the Secret `${{ parameters.name }}-litellm-key` in `${{ parameters.namespace }}`. ' +
                'Follow it with `kubectl get ai ${{ parameters.name }} -n ${{ parameters.namespace }}`; the request then appears in the catalog as a Component.',
            },
          ],
        },
      },
    });
  }
}

/** What Backstage's JSON Schema form understands: the structural schema without Kubernetes' `x-` keys. */
function formField(title: string, schema: StructuralSchema): Record<string, unknown> {
  const field: Record<string, unknown> = { title };
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue;
    field[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Record<string, StructuralSchema>).map(([k, v]) => [k, formField(titleOf(k), v)])) : key === 'items' ? formField(title, value as StructuralSchema) : value;
  }
  return field;
}

function titleOf(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** `small: Experiments and personal use (60 rpm, 30,000 tpm, $10 per 1d)` */
export function tierChoice(tier: TierSpec): string {
  const limits = `${tier.rpmLimit.toLocaleString('en-US')} rpm, ${tier.tpmLimit.toLocaleString('en-US')} tpm, $${tier.maxBudgetUsd.toLocaleString('en-US')} per ${tier.budgetDuration}`;
  return tier.description ? `${tier.name}: ${tier.description} (${limits})` : `${tier.name} (${limits})`;
}

/**
 * The form, generated from the request schema: the same enums, patterns, limits and defaults as the
 * CRD, with each tier's and model's description and limits as the choice's label. Three pages:
 * where the request goes, what it buys, and (optional) key rotation.
 */
export function requestForm(catalog: Catalog): FormPage[] {
  const spec = requestSchema(catalog).properties!.spec!.properties!;
  const tier = formField('Tier', spec.tier!);
  const models = formField('Models', spec.models!);
  return [
    {
      title: 'Request',
      required: ['name', 'namespace', 'team'],
      properties: {
        name: {
          title: 'Name',
          type: 'string',
          description: `Name of the request: lowercase letters, digits and -, starting with a letter, at most ${MAX_REQUEST_NAME_IN_FORM} characters.`,
          pattern: DNS_1035_LABEL.source,
          maxLength: MAX_REQUEST_NAME_IN_FORM,
          'ui:autofocus': true,
        },
        namespace: {
          title: 'Namespace',
          type: 'string',
          description: 'Namespace for the request; its key Secret and UI are created there.',
          pattern: DNS_LABEL.source,
          maxLength: 63,
        },
        team: formField('Team', spec.team!),
      },
    },
    {
      title: 'Tier and models',
      required: ['tier', 'models'],
      properties: {
        tier: { ...tier, enumNames: catalog.tiers.map(tierChoice) },
        models: {
          ...models,
          // The CRD refuses repeats with a set-typed list; a form says it with uniqueItems.
          uniqueItems: true,
          items: { ...(models.items as Record<string, unknown>), enumNames: catalog.models.map((m) => (m.description ? `${m.name}: ${m.description}` : m.name)) },
          'ui:widget': 'checkboxes',
        },
        ui: formField('Open WebUI', spec.ui!),
      },
    },
    {
      title: 'Key rotation',
      properties: {
        // An empty object by default: the manifest always carries `rotation`, and {} means the tier's policy.
        rotation: { ...formField('Rotation', spec.rotation!), default: {} },
      },
    },
  ];
}

/**
 * The request the Template applies. Each value goes through nunjucks' `dump` (JSON), which is valid
 * YAML and keeps a value a string, so no form input can add fields or documents.
 */
export function requestManifest(): string {
  const value = (name: string) => `\${{ parameters.${name} | dump }}`;
  return [
    `apiVersion: ${REQUEST_API.group}/${REQUEST_API.version}`,
    `kind: ${REQUEST_API.kind}`,
    'metadata:',
    `  name: ${value('name')}`,
    `  namespace: ${value('namespace')}`,
    'spec:',
    ...['team', 'tier', 'models', 'ui', 'rotation'].map((field) => `  ${field}: ${value(field)}`),
    '',
  ].join('\n');
}
