import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when it is older than its sources, once per run: e2e tests never spawn a stale
    // bundle, and `npm test` does not build twice.
    globalSetup: ['test/support/global-setup.ts'],
    // Property tests: a fixed seed under CI, a random one locally, FC_SEED to replay (property-seed.ts).
    setupFiles: ['test/support/property-seed.ts'],
    // One module graph per worker, not per file: importing cdk8s, cdk8s-plus-28's generated classes
    // and fast-check again for each of ~60 files cost ~40 s of the suite's CPU. No test mocks a module,
    // stubs the environment or changes global state (test/shared-worker.test.ts keeps it so).
    isolate: false,
    // End-to-end tests spawn the bundled pipeline; give a loaded CI machine room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report lets .ci/run close with a plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'dist/test-results.json' },
  },
});
