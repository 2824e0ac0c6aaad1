import { describe, expect, it } from 'vitest';
import { Catalog, catalogMarkdown } from '../constructs/index.js';
import { EXTRA_MODEL, TEST_CATALOG, TEST_MODELS, TEST_TIERS } from './support/test-catalog.js';

describe('catalogMarkdown', () => {
  it("shows each tier's rotation, and says when a tier rotates only on trigger", () => {
    // GIVEN a tier with a rotation policy and one without
    const { rotation: _, ...unrotated } = { ...TEST_TIERS[1]!, name: 'test-tier-manual' };
    const markdown = catalogMarkdown(new Catalog({ tiers: [TEST_TIERS[0]!, unrotated], models: TEST_MODELS }));
    // THEN each row carries period / grace, or "on trigger only"
    const row = (tier: string) => markdown.split('\n').find((l) => l.startsWith(`| \`${tier}\``))!;
    expect(row('small')).toContain('| 1d | 30d / 2d | 250m / 1 |');
    expect(row('test-tier-manual')).toContain('| 1d | on trigger only | 500m / 2 |');
  });

  it('lists every tier and model of the catalog, a keyless one as such', () => {
    const markdown = catalogMarkdown(new Catalog({ ...TEST_CATALOG.props, models: [...TEST_MODELS, EXTRA_MODEL] }));
    for (const name of [...TEST_CATALOG.tierNames, ...TEST_CATALOG.modelNames]) expect(markdown).toContain(`| \`${name}\` |`);
    expect(markdown).toContain(`| \`${EXTRA_MODEL.name}\` | \`ollama/llama3.2\` | ${EXTRA_MODEL.apiBase} | none |`);
  });
});
