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

describe('Catalog boundaries (both sides of each bound)', () => {
  const models = TEST_MODELS;

  it("defaults to the tier called 'small', else to the first tier, unless told", () => {
    const medium = { ...xlarge, name: 'medium' };
    expect(new Catalog({ tiers: [xlarge, { ...xlarge, name: 'small' }], models }).defaultTier).toBe('small');
    expect(new Catalog({ tiers: [xlarge, medium], models }).defaultTier).toBe('test-tier-xl');
    expect(new Catalog({ tiers: [xlarge, medium], models, defaultTier: 'medium' }).defaultTier).toBe('medium');
    expect(new Catalog({ tiers: [xlarge, medium], models, defaultTier: 'medium' }).props).toEqual({ tiers: [xlarge, medium], models, defaultTier: 'medium' });
  });

  it('takes a rotation policy whose grace is shorter than its period, and refuses an equal or longer one', () => {
    const tier = (period: string, grace: string): TierSpec => ({ ...xlarge, rotation: { period, grace } });
    expect(new Catalog({ tiers: [tier('30d', '29d')], models }).tier('test-tier-xl').rotation).toEqual({ period: '30d', grace: '29d' });
    expect(new Catalog({ tiers: [tier('60s', '59s')], models }).tier('test-tier-xl').rotation).toEqual({ period: '60s', grace: '59s' });
    expect(() => new Catalog({ tiers: [tier('1d', '24h')], models })).toThrow("tier 'test-tier-xl' rotation.grace '24h' must be shorter than rotation.period '1d'");
    expect(() => new Catalog({ tiers: [tier('1d', '2d')], models })).toThrow("tier 'test-tier-xl' rotation.grace '2d' must be shorter than rotation.period '1d'");
    expect(() => new Catalog({ tiers: [tier('monthly', '1d')], models })).toThrow("tier 'test-tier-xl' rotation.period 'monthly' is not a duration such as 90m, 12h or 30d");
    expect(() => new Catalog({ tiers: [tier('30d', '1 day')], models })).toThrow("tier 'test-tier-xl' rotation.grace '1 day' is not a duration");
  });

  it('freezes what it keeps: a caller cannot change a validated tier afterwards', () => {
    const rotating: TierSpec = { ...xlarge, rotation: { period: '30d', grace: '1d' } };
    const catalog = new Catalog({ tiers: [rotating], models });
    const kept = catalog.tier('test-tier-xl');
    expect(Object.isFrozen(kept)).toBe(true);
    expect(Object.isFrozen(kept.ui)).toBe(true);
    expect(Object.isFrozen(kept.rotation)).toBe(true);
    expect(Object.isFrozen(catalog.model('gpt-5'))).toBe(true);
    const { rotation: _rotation, ...withoutRotation } = xlarge;
    expect('rotation' in new Catalog({ tiers: [withoutRotation], models }).tier('test-tier-xl')).toBe(false);
  });

  it('refuses a tier without a ui size, and checks every ui quantity', () => {
    expect(() => new Catalog({ tiers: [{ ...xlarge, ui: undefined as unknown as TierSpec['ui'] }], models })).toThrow("tier 'test-tier-xl' has no ui size");
    for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit', 'storage'] as const) {
      expect(() => new Catalog({ tiers: [{ ...xlarge, ui: { ...xlarge.ui, [field]: '1 Gi' } }], models }), field).toThrow(`tier 'test-tier-xl' ui.${field} '1 Gi' is not a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi`);
    }
  });

  it('allows positive limits: integers for rpm and tpm, any positive budget', () => {
    expect(new Catalog({ tiers: [{ ...xlarge, rpmLimit: 1, tpmLimit: 1, maxBudgetUsd: 0.01 }], models }).tier('test-tier-xl').maxBudgetUsd).toBe(0.01);
    expect(() => new Catalog({ tiers: [{ ...xlarge, rpmLimit: 0 }], models })).toThrow("tier 'test-tier-xl' rpmLimit 0 is not a positive integer");
    expect(() => new Catalog({ tiers: [{ ...xlarge, tpmLimit: 0 }], models })).toThrow("tier 'test-tier-xl' tpmLimit 0 is not a positive integer");
    expect(() => new Catalog({ tiers: [{ ...xlarge, maxBudgetUsd: -0.01 }], models })).toThrow("tier 'test-tier-xl' maxBudgetUsd -0.01 is not a positive number");
  });

  it('allows model names of 1 to 100 characters of letters, digits and ._:/- starting with a letter or digit', () => {
    const model = (name: string): ModelSpec => ({ name, model: 'openai/m' });
    expect(new Catalog({ tiers: TEST_TIERS, models: [model('a'), model(`A${'b'.repeat(99)}`), model('org/m:1.0_x-y')] }).modelNames).toHaveLength(3);
    for (const name of [`a${'b'.repeat(100)}`, '', '-m', 'a b']) {
      expect(() => new Catalog({ tiers: TEST_TIERS, models: [model(name)] }), name).toThrow('must be 1-100 characters of letters, digits and ._:/- starting with a letter or digit');
    }
  });

  it('takes http and https api bases and keys in environment variables that the gateway does not set itself', () => {
    const model = (change: Partial<ModelSpec>): ModelSpec => ({ name: 'm', model: 'openai/m', ...change });
    expect(new Catalog({ tiers: TEST_TIERS, models: [model({ apiBase: 'https://api.example.com/v1', apiKeyEnv: 'EXAMPLE_KEY' })] }).model('m').apiKeyEnv).toBe('EXAMPLE_KEY');
    expect(() => new Catalog({ tiers: TEST_TIERS, models: [model({ apiBase: 'not a url' })] })).toThrow("model 'm' apiBase 'not a url' is not an http(s) URL");
    for (const env of ['LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'DATABASE_URL', 'DATABASE_USERNAME', 'DATABASE_PASSWORD']) {
      expect(() => new Catalog({ tiers: TEST_TIERS, models: [model({ apiKeyEnv: env })] }), env).toThrow(`model 'm' apiKeyEnv '${env}' is reserved for the gateway itself`);
    }
  });

  it('refuses a provider model id without a lowercase provider', () => {
    expect(() => new Catalog({ tiers: TEST_TIERS, models: [{ name: 'm', model: 'OpenAI/m' }] })).toThrow("model 'm' model 'OpenAI/m' is not a LiteLLM provider model id such as openai/gpt-5 or ollama/llama3.2");
    expect(() => new Catalog({ tiers: TEST_TIERS, models: [{ name: 'm', model: 'openai/' }] })).toThrow("model 'm' model 'openai/' is not a LiteLLM provider model id");
  });
});

describe('Catalog limits', () => {
  it('wants whole requests per minute, like tokens per minute', () => {
    expect(() => new Catalog({ tiers: [{ ...xlarge, rpmLimit: 1.5 }], models: TEST_MODELS })).toThrow("tier 'test-tier-xl' rpmLimit 1.5 is not a positive integer");
  });
});

describe('Catalog messages', () => {
  it('name the model name field and quote the value', () => {
    expect(() => new Catalog({ tiers: TEST_TIERS, models: [{ name: '-m', model: 'openai/m' }] })).toThrow(
      "model name '-m' must be 1-100 characters of letters, digits and ._:/- starting with a letter or digit",
    );
  });
});
