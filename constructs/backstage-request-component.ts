import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { BackstagePromiseEntities } from './backstage-promise-entities.js';
import { entityName, entityNamespace } from './backstage-names.js';
import { MANAGED_BY } from './team-tier.js';
import type { TierSpec } from './tiers.js';
import { DNS_LABEL, requireMatch } from './validation.js';

export interface BackstageRequestComponentProps {
  /** `metadata.name` of the request. */
  readonly requestName: string;
  /** `metadata.namespace` of the request: the Backstage namespace of its Component too. */
  readonly requestNamespace: string;
  /** `spec.team`: the Component's owner, a Group in Backstage's default namespace. */
  readonly team: string;
  readonly tier: TierSpec;
  readonly models: readonly string[];
  /** Gateway base URL clients use, without `/v1`. */
  readonly gatewayUrl: string;
  /** Secret with the key. */
  readonly secretName: string;
  /**
   * The request's Open WebUI.
   * @default no UI link
   */
  readonly uiUrl?: string;
}

/**
 * One request in Backstage's catalog: a Component owned by the request's team, with links to the
 * API endpoint and the UI, its tier and limits, and the annotations Backstage's Kubernetes plugin
 * uses to show the request's workloads (the labels every object of a request carries). Names follow
 * Backstage's rules for any valid request (backstage-names.ts). Nothing secret: only the Secret's name.
 */
export class BackstageRequestComponent extends Construct {
  /** `component:<namespace>/<name>` */
  readonly entityRef: string;

  constructor(scope: Construct, id: string, props: BackstageRequestComponentProps) {
    super(scope, id);
    requireMatch('backstage request namespace', props.requestNamespace, DNS_LABEL, 'is not a namespace name');
    requireMatch('backstage request name', props.requestName, DNS_LABEL, 'is not a lowercase DNS label');
    requireMatch('backstage team', props.team, DNS_LABEL, 'is not a lowercase DNS label');
    const name = entityName(props.requestName);
    const namespace = entityNamespace(props.requestNamespace);
    this.entityRef = `component:${namespace}/${name}`;
    const tier = props.tier;
    const limits = `${tier.rpmLimit} rpm, ${tier.tpmLimit} tpm, $${tier.maxBudgetUsd} per ${tier.budgetDuration}`;

    new ApiObject(this, 'component', {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace,
        title: `${props.requestName} (AI gateway access)`,
        description: `LLM access for team ${props.team}: ${tier.name} tier (${limits}), models ${props.models.join(', ')}. Key in Secret ${props.secretName}.`,
        tags: ['kratix', 'ai'],
        labels: { 'ai.kratix.io/tier': entityName(tier.name) },
        annotations: {
          // Every object of a request carries these two labels (TeamTier, OpenWebUIApp).
          'backstage.io/kubernetes-label-selector': `app.kubernetes.io/managed-by=${MANAGED_BY},app.kubernetes.io/instance=${props.requestName}`,
          'backstage.io/kubernetes-namespace': props.requestNamespace,
          'ai.kratix.io/request': `${props.requestNamespace}/${props.requestName}`,
          'ai.kratix.io/tier': tier.name,
          'ai.kratix.io/limits': limits,
          'ai.kratix.io/models': props.models.join(','),
          'ai.kratix.io/key-secret': props.secretName,
        },
        links: [
          { url: `${props.gatewayUrl}/v1`, title: 'OpenAI-compatible API' },
          ...(props.uiUrl ? [{ url: props.uiUrl, title: 'Open WebUI', icon: 'chat' }] : []),
        ],
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:default/${entityName(props.team)}`,
        dependsOn: [`component:default/${BackstagePromiseEntities.COMPONENT_NAME}`],
      },
    });
  }
}
