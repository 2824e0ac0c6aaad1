import { Catalog, type ModelSpec, type TierSpec, diffableJson, resolvePromiseConfig } from '../../constructs/index.js';

/**
 * The catalog the tests own. Every test of catalog mechanics, of the constructs and of the pipeline
 * uses it instead of the shipped catalog (constructs/tiers.ts, constructs/models.ts), so a platform
 * that forks this repository and adds, changes or removes tiers and models keeps those tests green.
 * Only test/shipped-catalog.test.ts reads the shipped catalog, and test/catalog-independence.test.ts
 * keeps it that way.
 *
 * The entries copy the original promise's tiers and models (the tests' requests say `small` and
 * `gpt-5`); they are a copy on purpose, not an import.
 */
export const TEST_TIERS: readonly TierSpec[] = [
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

export const TEST_MODELS: readonly ModelSpec[] = [
  { name: 'gpt-5', model: 'openai/gpt-5', apiKeyEnv: 'OPENAI_API_KEY', description: 'OpenAI GPT-5' },
  { name: 'gemini-2.5-pro', model: 'gemini/gemini-2.5-pro', apiKeyEnv: 'GEMINI_API_KEY', description: 'Google Gemini 2.5 Pro' },
  { name: 'claude-opus-4', model: 'anthropic/claude-opus-4-20250514', apiKeyEnv: 'ANTHROPIC_API_KEY', description: 'Anthropic Claude Opus 4' },
];

export const TEST_CATALOG = new Catalog({ tiers: TEST_TIERS, models: TEST_MODELS });

/**
 * A tier and a model that tests add to a catalog. Their `test-` names are ones no platform would
 * pick, so they never clash with what a platform adds to its own catalog.
 */
export const EXTRA_TIER: TierSpec = {
  name: 'test-tier-xl',
  rpmLimit: 6000,
  tpmLimit: 3_000_000,
  maxBudgetUsd: 5000,
  budgetDuration: '30d',
  ui: { cpuRequest: '2', cpuLimit: '8', memoryRequest: '4Gi', memoryLimit: '8Gi', storage: '100Gi' },
  rotation: { period: '7d', grace: '1d' },
};
export const EXTRA_MODEL: ModelSpec = { name: 'test-model-ollama', model: 'ollama/llama3.2', apiBase: 'http://ollama.models.svc.cluster.local:11434' };

/** The test catalog extended with EXTRA_TIER and EXTRA_MODEL. */
export const EXTENDED_TEST_CATALOG = new Catalog({ tiers: [...TEST_TIERS, EXTRA_TIER], models: [...TEST_MODELS, EXTRA_MODEL] });

/** The resolved promise config the tests run the pipeline with: every default, the test catalog. */
export const TEST_CONFIG = resolvePromiseConfig({ catalog: TEST_CATALOG.props });

/** AI_PROMISE_CONFIG as promise.yaml would carry TEST_CONFIG. */
export const TEST_CONFIG_ENV = diffableJson(TEST_CONFIG);
