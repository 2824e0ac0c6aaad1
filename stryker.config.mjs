// @ts-check
/**
 * Mutation testing of the pure logic (`npm run mutation`, summary in docs/testing.md): request
 * validation, rotation, reconcile planning, key derivation, catalog and promise-config validation,
 * team ids. Run against their unit tests only (vitest.mutation.config.ts), so a full run takes
 * minutes. The machine is shared: one or two test runners at a time.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: [
    'pipeline/request.ts',
    'pipeline/rotation.ts',
    'pipeline/reconcile.ts',
    'pipeline/keys.ts',
    'constructs/catalog.ts',
    'constructs/promise-config.ts',
    'constructs/validation.ts',
    'constructs/team-tier.ts',
  ],
  coverageAnalysis: 'perTest',
  // Mutants that only run while a module loads (constants, regexes, Catalog.DEFAULT's arguments)
  // would need every test file re-imported per mutant, most of the run's time; they are ignored
  // here and the boundaries they set are stated by literal tests (docs/testing.md).
  ignoreStatic: true,
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  // Re-runs reuse the results of unchanged mutants and tests (reports/ is not committed).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
  // Stryker rewrites tsconfig.json's extends/references in its sandbox with the TypeScript 5 API,
  // which TypeScript 7 (native) no longer has. Ours has neither, so point it at no file.
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
