/**
 * The tier catalog: what a request's `spec.tier` buys. Every place that names a tier (the CRD enum,
 * the LiteLLM team limits the pipeline reconciles, the Open WebUI sizing, the docs table) reads it
 * from here, so adding a tier is one entry in `DEFAULT_TIERS`.
 */

/** Resources for the Open WebUI workload a tier deploys when a request asks for `ui: true`. */
export interface UiSize {
  /** CPU request, Kubernetes quantity (`500m`). */
  readonly cpuRequest: string;
  /** CPU limit, Kubernetes quantity (`1`). */
  readonly cpuLimit: string;
  /** Memory request, Kubernetes quantity (`1Gi`). */
  readonly memoryRequest: string;
  /** Memory limit, Kubernetes quantity (`2Gi`). */
  readonly memoryLimit: string;
  /** Size of the volume claim that holds `/app/backend/data` (`2Gi`). */
  readonly storage: string;
}

/**
 * Scheduled key rotation: every `period` a request gets a new key in its Secret, and the previous
 * key stays valid for `grace` so consumers can pick up the new one. Durations are `<n>s|m|h|d`.
 */
export interface RotationPolicy {
  /** How long one key is current (`30d`). */
  readonly period: string;
  /** How long the previous key keeps working after a rotation (`2d`); shorter than the period. */
  readonly grace: string;
}

/** One tier: the LiteLLM team limits and the deployment size it stands for. */
export interface TierSpec {
  /** Name requests use in `spec.tier`: a lowercase DNS label. */
  readonly name: string;
  /** Team-wide requests per minute (LiteLLM `rpm_limit`). */
  readonly rpmLimit: number;
  /** Team-wide tokens per minute (LiteLLM `tpm_limit`). */
  readonly tpmLimit: number;
  /** Team budget in USD per budget period (LiteLLM `max_budget`). */
  readonly maxBudgetUsd: number;
  /** Budget reset period in LiteLLM duration syntax: `30s`, `30m`, `12h`, `1d`, `30d`, `1mo`. */
  readonly budgetDuration: string;
  /** What the tier deploys for Open WebUI. */
  readonly ui: UiSize;
  /**
   * Key rotation; requests may shorten the period and the grace, never lengthen them.
   * @default no scheduled rotation (keys rotate only when a request bumps spec.rotation.trigger)
   */
  readonly rotation?: RotationPolicy;
  /**
   * One line for the docs table and the CRD description.
   * @default no description
   */
  readonly description?: string;
}

/** The tiers of the original promise, with its exact numbers, plus Open WebUI sizes per tier. */
export const DEFAULT_TIERS: readonly TierSpec[] = [
  {
    name: 'small',
    rpmLimit: 60,
    tpmLimit: 30_000,
    maxBudgetUsd: 10,
    budgetDuration: '1d',
    ui: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '768Mi', memoryLimit: '1536Mi', storage: '2Gi' },
    rotation: { period: '30d', grace: '2d' },
    description: 'Experiments and personal use',
  },
  {
    name: 'medium',
    rpmLimit: 240,
    tpmLimit: 120_000,
    maxBudgetUsd: 100,
    budgetDuration: '1d',
    ui: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi', storage: '10Gi' },
    rotation: { period: '30d', grace: '2d' },
    description: 'A team building on the models',
  },
  {
    name: 'large',
    rpmLimit: 1200,
    tpmLimit: 600_000,
    maxBudgetUsd: 1000,
    budgetDuration: '1d',
    ui: { cpuRequest: '1', cpuLimit: '4', memoryRequest: '2Gi', memoryLimit: '4Gi', storage: '50Gi' },
    rotation: { period: '30d', grace: '2d' },
    description: 'Production traffic',
  },
];
