import { describe, expect, it } from 'vitest';
import { Catalog, type ModelSpec, type TierSpec } from '../constructs/index.js';
import { EXTRA_MODEL, EXTRA_TIER, TEST_CATALOG, TEST_MODELS, TEST_TIERS } from './support/test-catalog.js';

const xlarge = EXTRA_TIER;

describe('Catalog', () => {
  it('takes a custom tier as one typed entry', () => {
    // WHEN a platform engineer registers a tier
    const catalog = new Catalog({ tiers: [...TEST_TIERS, xlarge], models: TEST_MODELS });
    // THEN it is looked up like any other tier
    expect(catalog.tierNames).toEqual(['small', 'medium', 'large', 'test-tier-xl']);
    expect(catalog.tier('test-tier-xl').rpmLimit).toBe(6000);
  });

  it('takes an Ollama model with an api base and no key', () => {
    const catalog = new Catalog({ tiers: TEST_TIERS, models: [...TEST_MODELS, EXTRA_MODEL] });
    expect(catalog.model(EXTRA_MODEL.name)).toEqual(EXTRA_MODEL);
  });

  it("defaults to the tier called small, else the first tier", () => {
    expect(TEST_CATALOG.defaultTier).toBe('small');
    expect(new Catalog({ tiers: [xlarge, ...TEST_TIERS], models: TEST_MODELS }).defaultTier).toBe('small');
    expect(new Catalog({ tiers: [xlarge, TEST_TIERS[1]!], models: TEST_MODELS }).defaultTier).toBe('test-tier-xl');
  });

  it('says what is allowed when a name is unknown', () => {
    expect(() => TEST_CATALOG.tier('xl')).toThrow("tier 'xl' is not one of small, medium, large");
    expect(() => TEST_CATALOG.model('gpt-2')).toThrow("model 'gpt-2' is not one of gpt-5, gemini-2.5-pro, claude-opus-4");
  });

  it.each<[string, Partial<TierSpec>, string]>([
    ['a bad name', { name: 'X L' }, "tier name 'X L' is not a lowercase DNS label"],
    ['a negative rpm', { rpmLimit: -1 }, "tier 'test-tier-xl' rpmLimit -1 is not a positive integer"],
    ['a fractional tpm', { tpmLimit: 1.5 }, "tier 'test-tier-xl' tpmLimit 1.5 is not a positive integer"],
    ['a zero budget', { maxBudgetUsd: 0 }, "tier 'test-tier-xl' maxBudgetUsd 0 is not a positive number"],
    ['a bad duration', { budgetDuration: '1 day' }, "tier 'test-tier-xl' budgetDuration '1 day' is not a LiteLLM duration such as 30s, 30m, 12h, 1d, 30d or 1mo"],
    ['a bad quantity', { ui: { ...xlarge.ui, memoryLimit: '8 GB' } }, "tier 'test-tier-xl' ui.memoryLimit '8 GB' is not a Kubernetes quantity"],
  ])('rejects a tier with %s', (_, change, message) => {
    expect(() => new Catalog({ tiers: [{ ...xlarge, ...change }], models: TEST_MODELS })).toThrow(message);
  });

  it('accepts every LiteLLM duration unit', () => {
    for (const budgetDuration of ['30s', '30m', '12h', '1d', '30d', '1mo']) {
      expect(new Catalog({ tiers: [{ ...xlarge, budgetDuration }], models: TEST_MODELS }).tier('test-tier-xl').budgetDuration).toBe(budgetDuration);
    }
  });

  it.each<[string, Partial<ModelSpec>, string]>([
    ['no provider', { model: 'gpt-5' }, "model 'm' model 'gpt-5' is not a LiteLLM provider model id"],
    ['a bad api base', { apiBase: 'ftp://x' }, "model 'm' apiBase 'ftp://x' is not an http(s) URL"],
    ['a bad env name', { apiKeyEnv: 'openai-key' }, "model 'm' apiKeyEnv 'openai-key' is not an environment variable name"],
    ['a reserved env name', { apiKeyEnv: 'LITELLM_MASTER_KEY' }, "model 'm' apiKeyEnv 'LITELLM_MASTER_KEY' is reserved for the gateway itself"],
  ])('rejects a model with %s', (_, change, message) => {
    expect(() => new Catalog({ tiers: TEST_TIERS, models: [{ name: 'm', model: 'openai/m', ...change }] })).toThrow(message);
  });

  it('rejects duplicates, empty catalogs and an unknown default tier', () => {
    expect(() => new Catalog({ tiers: [xlarge, xlarge], models: TEST_MODELS })).toThrow("tier 'test-tier-xl' is defined twice");
    expect(() => new Catalog({ tiers: TEST_TIERS, models: [TEST_MODELS[0]!, TEST_MODELS[0]!] })).toThrow("model 'gpt-5' is defined twice");
    expect(() => new Catalog({ tiers: [], models: TEST_MODELS })).toThrow('catalog has no tiers');
    expect(() => new Catalog({ tiers: TEST_TIERS, models: [] })).toThrow('catalog has no models');
    expect(() => new Catalog({ tiers: TEST_TIERS, models: TEST_MODELS, defaultTier: 'huge' })).toThrow(
      "default tier 'huge' is not one of small, medium, large",
    );
  });
});
