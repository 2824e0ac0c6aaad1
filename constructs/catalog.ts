import { DEFAULT_MODELS, type ModelSpec } from './models.js';
import { DEFAULT_TIERS, type TierSpec } from './tiers.js';
import {
  DNS_LABEL,
  ENV_NAME,
  LITELLM_DURATION,
  QUANTITY,
  durationSeconds,
  notOneOf,
  quote,
  requireMatch,
  requirePositive,
  requireUnique,
} from './validation.js';

export interface CatalogProps {
  /** The tiers requests may choose from, in the order the CRD enum and docs list them. */
  readonly tiers: readonly TierSpec[];
  /** The models requests may list, in the order the CRD enum and the gateway config list them. */
  readonly models: readonly ModelSpec[];
  /**
   * The tier a request gets when it names none (the CRD default).
   * @default 'small' when such a tier exists, else the first tier
   */
  readonly defaultTier?: string;
}

/** Public model names: letters, digits and `._:/-`, as LiteLLM model names commonly are. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
/** LiteLLM provider model ids are `<provider>/<model>`. */
const PROVIDER_MODEL = /^[a-z0-9_-]+\/\S+$/;
/** Env vars the gateway sets itself: a model key must not shadow them. */
const RESERVED_ENV = new Set(['LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'DATABASE_URL', 'DATABASE_USERNAME', 'DATABASE_PASSWORD']);

/**
 * The validated tier and model catalogs: the single source of truth for everything that names a tier
 * or a model. Immutable; build a new one to extend it:
 * `new Catalog({ ...Catalog.DEFAULT.props, tiers: [...DEFAULT_TIERS, xlarge] })`.
 */
export class Catalog {
  /** The original promise's tiers and models. */
  static readonly DEFAULT = new Catalog({ tiers: DEFAULT_TIERS, models: DEFAULT_MODELS });

  readonly tiers: readonly TierSpec[];
  readonly models: readonly ModelSpec[];
  readonly defaultTier: string;

  constructor(props: CatalogProps) {
    if (props.tiers.length === 0) throw new Error('catalog has no tiers: define at least one');
    if (props.models.length === 0) throw new Error('catalog has no models: define at least one');
    props.tiers.forEach(validateTier);
    props.models.forEach(validateModel);
    requireUnique('tier', props.tiers.map((t) => t.name));
    requireUnique('model', props.models.map((m) => m.name));

    this.tiers = props.tiers.map((t) => Object.freeze({ ...t, ui: Object.freeze({ ...t.ui }), ...(t.rotation ? { rotation: Object.freeze({ ...t.rotation }) } : {}) }));
    this.models = props.models.map((m) => Object.freeze({ ...m }));
    const names = this.tierNames;
    this.defaultTier = props.defaultTier ?? (names.includes('small') ? 'small' : names[0]!);
    if (!names.includes(this.defaultTier)) throw new Error(notOneOf('default tier', this.defaultTier, names));
  }

  /** The props this catalog was built from, to derive a new catalog. */
  get props(): CatalogProps {
    return { tiers: this.tiers, models: this.models, defaultTier: this.defaultTier };
  }

  get tierNames(): string[] {
    return this.tiers.map((t) => t.name);
  }

  get modelNames(): string[] {
    return this.models.map((m) => m.name);
  }

  /** The tier called `name`; throws `tier 'xl' is not one of small, medium, large` otherwise. */
  tier(name: string): TierSpec {
    const tier = this.tiers.find((t) => t.name === name);
    if (!tier) throw new Error(notOneOf('tier', name, this.tierNames));
    return tier;
  }

  /** The model called `name`; throws `model 'x' is not one of ...` otherwise. */
  model(name: string): ModelSpec {
    const model = this.models.find((m) => m.name === name);
    if (!model) throw new Error(notOneOf('model', name, this.modelNames));
    return model;
  }
}

function validateTier(tier: TierSpec): void {
  requireMatch('tier name', tier.name, DNS_LABEL, 'is not a lowercase DNS label');
  const what = `tier '${tier.name}'`;
  requirePositive(`${what} rpmLimit`, tier.rpmLimit, true);
  requirePositive(`${what} tpmLimit`, tier.tpmLimit, true);
  requirePositive(`${what} maxBudgetUsd`, tier.maxBudgetUsd, false);
  requireMatch(`${what} budgetDuration`, tier.budgetDuration, LITELLM_DURATION, 'is not a LiteLLM duration such as 30s, 30m, 12h, 1d, 30d or 1mo');
  if (tier.rotation !== undefined) {
    const period = durationSeconds(`${what} rotation.period`, tier.rotation.period);
    const grace = durationSeconds(`${what} rotation.grace`, tier.rotation.grace);
    // A grace as long as the period would keep three keys alive at once.
    if (grace >= period) throw new Error(`${what} rotation.grace '${tier.rotation.grace}' must be shorter than rotation.period '${tier.rotation.period}'`);
  }
  if (!tier.ui) throw new Error(`${what} has no ui size`);
  for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit', 'storage'] as const) {
    requireMatch(`${what} ui.${field}`, tier.ui[field], QUANTITY, 'is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');
  }
}

function validateModel(model: ModelSpec): void {
  requireMatch('model name', model.name, MODEL_NAME, 'must be 1-100 characters of letters, digits and ._:/- starting with a letter or digit');
  const what = `model '${model.name}'`;
  requireMatch(`${what} model`, model.model, PROVIDER_MODEL, 'is not a LiteLLM provider model id such as openai/gpt-5 or ollama/llama3.2');
  if (model.apiBase !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(model.apiBase);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error(`${what} apiBase ${quote(model.apiBase)} is not an http(s) URL`);
    }
  }
  if (model.apiKeyEnv !== undefined) {
    requireMatch(`${what} apiKeyEnv`, model.apiKeyEnv, ENV_NAME, 'is not an environment variable name (A-Z, 0-9, _)');
    if (RESERVED_ENV.has(model.apiKeyEnv)) {
      throw new Error(`${what} apiKeyEnv ${quote(model.apiKeyEnv)} is reserved for the gateway itself`);
    }
  }
}
