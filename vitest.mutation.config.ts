import { defineConfig } from 'vitest/config';

/**
 * The unit tests of the pure modules that `npm run mutation` mutates (stryker.config.mjs). Stryker
 * reruns these for every mutant, so only fast in-process tests belong here: no end-to-end test that
 * spawns the bundle, no global setup that builds it.
 */
export const MUTATION_TESTS = [
  'test/request.test.ts',
  'test/rotation.test.ts',
  'test/reconcile.test.ts',
  'test/keys.test.ts',
  'test/catalog.test.ts',
  'test/promise-config.test.ts',
  'test/network-policies-config.test.ts',
  'test/validation.test.ts',
  'test/team-tier.test.ts',
];

export default defineConfig({
  test: {
    // MUTATION_TESTS (comma-separated) narrows the run to some of them, e.g. one module's own tests.
    include: process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(',') : MUTATION_TESTS,
    // Re-import the modules for every run: Stryker switches on a mutant in code that also runs
    // while modules load (the catalog and validation run when Catalog.DEFAULT is built) before
    // loading, which only a fresh import honours. MUTATION_ISOLATE=0 keeps modules loaded between
    // runs, faster for modules whose code runs only inside tests (request, rotation, keys, reconcile).
    isolate: process.env.MUTATION_ISOLATE !== '0',
  },
});
