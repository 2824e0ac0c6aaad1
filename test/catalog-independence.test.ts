import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedSnapshotFiles } from './support/shipped-snapshots.js';
import { TEST_DIR, testSources } from './support/test-sources.js';
import { EXTENDED_TEST_CATALOG, EXTRA_MODEL, EXTRA_TIER, TEST_CATALOG } from './support/test-catalog.js';

/*
 * Guards the fork workflow (README "Add a tier or a model"): after any catalog change, `npm run
 * synth && npm test` stays green because only test/shipped-catalog.test.ts reads the shipped catalog.
 */

/** Ways a test reaches the shipped catalog: its exports, or the Catalog built from them. */
const SHIPPED_CATALOG_USE = [/\bCatalog\.DEFAULT\b/, /import\s*\{[^}]*\bDEFAULT_(TIERS|MODELS)\b[^}]*\}\s*from\s*'[./]+\/constructs\//];
const ALLOWED = ['shipped-catalog.test.ts', 'catalog-independence.test.ts'];

describe('catalog independence', () => {
  it('no test but test/shipped-catalog.test.ts reads the shipped catalog', () => {
    const offenders = testSources()
      .filter((file) => !ALLOWED.includes(file))
      .filter((file) => {
        const text = readFileSync(new URL(file, TEST_DIR), 'utf8');
        return SHIPPED_CATALOG_USE.some((pattern) => pattern.test(text));
      });
    expect(offenders).toEqual([]);
  });

  it('the guard above does catch both ways in', () => {
    expect(SHIPPED_CATALOG_USE[0]!.test("const catalog = Catalog.DEFAULT;")).toBe(true);
    expect(SHIPPED_CATALOG_USE[1]!.test("import { Catalog, DEFAULT_TIERS } from '../constructs/index.js';")).toBe(true);
    expect(SHIPPED_CATALOG_USE[1]!.test("const DEFAULT_MODELS = ['gpt-5'];")).toBe(false);
  });

  it("tests extend catalogs only with names no platform would pick", () => {
    expect([EXTRA_TIER.name, EXTRA_MODEL.name].every((name) => name.startsWith('test-'))).toBe(true);
  });

  it('per-tier snapshots follow the catalog: a catalog with one more tier gets one more pair of files', () => {
    const before = shippedSnapshotFiles(TEST_CATALOG);
    const after = shippedSnapshotFiles(EXTENDED_TEST_CATALOG);
    expect(after.filter((f) => !before.includes(f))).toEqual([`resource-${EXTRA_TIER.name}-ui.yaml`, `resource-${EXTRA_TIER.name}.yaml`]);
    expect(before).toHaveLength(1 + 2 * TEST_CATALOG.tiers.length);
  });
});
