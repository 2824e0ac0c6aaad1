import type { Catalog } from './catalog.js';
import { LABEL_VALUE } from './promise-config.js';
import { DNS_LABEL, FIXED_DURATION } from './validation.js';

/** The subset of the Kubernetes structural schema (OpenAPI v3) that the request API uses. */
export interface StructuralSchema {
  readonly type: 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'number';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly required?: readonly string[];
  readonly items?: StructuralSchema;
  readonly additionalProperties?: StructuralSchema;
  readonly maxProperties?: number;
  readonly enum?: readonly (string | number | boolean)[];
  readonly default?: unknown;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
}

/** Largest `spec.rotation.trigger`: far beyond any real use, and exact as a JSON number. */
export const MAX_ROTATION_TRIGGER = 1_000_000_000;

/** Most labels a request may put in `spec.destinationSelector`. */
export const MAX_SELECTOR_LABELS = 8;

/** Longest `spec.team`: it is a label value and part of names downstream. */
export const MAX_TEAM_LENGTH = 63;

/**
 * The request API's schema, generated from the catalog so the tier and model enums can never drift
 * from what the pipeline accepts. Everything new since the original promise is optional or
 * defaulted, so the original `resource-request.yaml` stays valid.
 */
export function requestSchema(catalog: Catalog): StructuralSchema {
  return {
    type: 'object',
    required: ['spec'],
    properties: {
      spec: {
        type: 'object',
        required: ['team', 'models'],
        properties: {
          tier: {
            type: 'string',
            description: `Size of deployment: rate limits, budget and UI size. One of ${catalog.tierNames.join(', ')}.`,
            enum: catalog.tierNames,
            default: catalog.defaultTier,
          },
          models: {
            type: 'array',
            description: 'Models the team may call through the gateway (at least one, no repeats).',
            minItems: 1,
            maxItems: catalog.models.length,
            // Structural schemas forbid uniqueItems; a set-typed list is how the API server rejects repeats.
            'x-kubernetes-list-type': 'set',
            items: { type: 'string', enum: catalog.modelNames },
          },
          team: {
            type: 'string',
            description: 'Owning team, a lowercase DNS label. Recorded on the LiteLLM team; several requests may name the same team.',
            minLength: 1,
            maxLength: MAX_TEAM_LENGTH,
            pattern: DNS_LABEL.source,
          },
          ui: {
            type: 'boolean',
            description: 'Whether to deploy an Open WebUI for the team, next to the key Secret.',
            default: false,
          },
          rotation: {
            type: 'object',
            description: "Key rotation. period and grace may shorten the tier's policy, never lengthen it; bump trigger to rotate now.",
            properties: {
              period: { type: 'string', description: 'How long one key is current, e.g. 7d.', pattern: FIXED_DURATION.source },
              grace: { type: 'string', description: 'How long the previous key keeps working, e.g. 1d.', pattern: FIXED_DURATION.source },
              trigger: { type: 'integer', description: 'Bump to rotate the key now.', minimum: 0, maximum: MAX_ROTATION_TRIGGER },
            },
          },
          destinationSelector: {
            type: 'object',
            description: "Labels of the Destination (cluster) that receives this request's key Secret and UI. Default: the platform's choice.",
            maxProperties: MAX_SELECTOR_LABELS,
            additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE.source },
          },
        },
      },
    },
  };
}
