import { describe, expect, it } from 'vitest';
import { Catalog, DEFAULT_MODELS, DEFAULT_TIERS, type ModelSpec, type TierSpec } from '../constructs/index.js';

const xlarge: TierSpec = {
  name: 'xlarge',
  rpmLimit: 6000,
  tpmLimit: 3_000_000,
  maxBudgetUsd: 5000,
  budgetDuration: '30d',
  ui: { cpuRequest: '2', cpuLimit: '8', memoryRequest: '4Gi', memoryLimit: '8Gi', storage: '100Gi' },
};

describe('Catalog', () => {
  it('keeps the original promise numbers by default', () => {
    // GIVEN the default catalog
    const catalog = Catalog.DEFAULT;
    // THEN the tiers carry the original rpm / tpm / budget, all reset daily
    expect(catalog.tiers.map((t) => [t.name, t.rpmLimit, t.tpmLimit, t.maxBudgetUsd, t.budgetDuration])).toEqual([
      ['small', 60, 30000, 10, '1d'],
      ['medium', 240, 120000, 100, '1d'],
      ['large', 1200, 600000, 1000, '1d'],
    ]);
    expect(catalog.modelNames).toEqual(['gpt-5', 'gemini-2.5-pro', 'claude-opus-4']);
    expect(catalog.defaultTier).toBe('small');
  });

  it('takes a custom tier as one typed entry', () => {
    // WHEN a platform engineer registers xlarge
    const catalog = new Catalog({ tiers: [...DEFAULT_TIERS, xlarge], models: DEFAULT_MODELS });
    // THEN it is looked up like any other tier
    expect(catalog.tierNames).toEqual(['small', 'medium', 'large', 'xlarge']);
    expect(catalog.tier('xlarge').rpmLimit).toBe(6000);
  });

  it('takes an Ollama model with an api base and no key', () => {
    const llama: ModelSpec = { name: 'llama3.2', model: 'ollama/llama3.2', apiBase: 'http://ollama.models.svc:11434' };
    const catalog = new Catalog({ tiers: DEFAULT_TIERS, models: [...DEFAULT_MODELS, llama] });
    expect(catalog.model('llama3.2')).toEqual(llama);
  });

  it('says what is allowed when a name is unknown', () => {
    expect(() => Catalog.DEFAULT.tier('xl')).toThrow("tier 'xl' is not one of small, medium, large");
    expect(() => Catalog.DEFAULT.model('gpt-2')).toThrow("model 'gpt-2' is not one of gpt-5, gemini-2.5-pro, claude-opus-4");
  });

  it.each<[string, Partial<TierSpec>, string]>([
    ['a bad name', { name: 'X L' }, "tier name 'X L' is not a lowercase DNS label"],
    ['a negative rpm', { rpmLimit: -1 }, "tier 'xlarge' rpmLimit -1 is not a positive integer"],
    ['a fractional tpm', { tpmLimit: 1.5 }, "tier 'xlarge' tpmLimit 1.5 is not a positive integer"],
    ['a zero budget', { maxBudgetUsd: 0 }, "tier 'xlarge' maxBudgetUsd 0 is not a positive number"],
    ['a bad duration', { budgetDuration: '1 day' }, "tier 'xlarge' budgetDuration '1 day' is not a LiteLLM duration such as 30s, 30m, 12h, 1d, 30d or 1mo"],
    ['a bad quantity', { ui: { ...xlarge.ui, memoryLimit: '8 GB' } }, "tier 'xlarge' ui.memoryLimit '8 GB' is not a Kubernetes quantity"],
  ])('rejects a tier with %s', (_, change, message) => {
    expect(() => new Catalog({ tiers: [{ ...xlarge, ...change }], models: DEFAULT_MODELS })).toThrow(message);
  });

  it('accepts every LiteLLM duration unit', () => {
    for (const budgetDuration of ['30s', '30m', '12h', '1d', '30d', '1mo']) {
      expect(new Catalog({ tiers: [{ ...xlarge, budgetDuration }], models: DEFAULT_MODELS }).tier('xlarge').budgetDuration).toBe(budgetDuration);
    }
  });

  it.each<[string, Partial<ModelSpec>, string]>([
    ['no provider', { model: 'gpt-5' }, "model 'm' model 'gpt-5' is not a LiteLLM provider model id"],
    ['a bad api base', { apiBase: 'ftp://x' }, "model 'm' apiBase 'ftp://x' is not an http(s) URL"],
    ['a bad env name', { apiKeyEnv: 'openai-key' }, "model 'm' apiKeyEnv 'openai-key' is not an environment variable name"],
    ['a reserved env name', { apiKeyEnv: 'LITELLM_MASTER_KEY' }, "model 'm' apiKeyEnv 'LITELLM_MASTER_KEY' is reserved for the gateway itself"],
  ])('rejects a model with %s', (_, change, message) => {
    expect(() => new Catalog({ tiers: DEFAULT_TIERS, models: [{ name: 'm', model: 'openai/m', ...change }] })).toThrow(message);
  });

  it('rejects duplicates, empty catalogs and an unknown default tier', () => {
    expect(() => new Catalog({ tiers: [xlarge, xlarge], models: DEFAULT_MODELS })).toThrow("tier 'xlarge' is defined twice");
    expect(() => new Catalog({ tiers: DEFAULT_TIERS, models: [DEFAULT_MODELS[0]!, DEFAULT_MODELS[0]!] })).toThrow("model 'gpt-5' is defined twice");
    expect(() => new Catalog({ tiers: [], models: DEFAULT_MODELS })).toThrow('catalog has no tiers');
    expect(() => new Catalog({ tiers: DEFAULT_TIERS, models: [] })).toThrow('catalog has no models');
    expect(() => new Catalog({ tiers: DEFAULT_TIERS, models: DEFAULT_MODELS, defaultTier: 'huge' })).toThrow(
      "default tier 'huge' is not one of small, medium, large",
    );
  });
});
