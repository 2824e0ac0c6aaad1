// @ts-check
import { readFileSync } from 'node:fs';

/**
 * `file:start-end` covering the named top-level functions (or class methods) of a file: from the
 * line that declares each to the first line after it that closes it at the same indentation.
 * Computed from the source, so the ranges follow edits to the file.
 * @param {string} file
 * @param {RegExp[]} declarations
 */
function functions(file, declarations) {
  const lines = readFileSync(file, 'utf8').split('\n');
  return declarations.map((declaration) => {
    const start = lines.findIndex((line) => declaration.test(line));
    if (start < 0) throw new Error(`stryker.config.mjs: no ${declaration} in ${file}`);
    const indent = /^\s*/.exec(lines[start])[0];
    const end = lines.findIndex((line, i) => i > start && line === `${indent}}`);
    if (end < 0) throw new Error(`stryker.config.mjs: no end of ${declaration} in ${file}`);
    return `${file}:${start + 1}-${end + 1}`;
  });
}

/**
 * The pure modules, each with its own unit tests. `npm run mutation` mutates them all against all of
 * these tests; `npm run mutation:modules` (scripts/mutation-by-module.mjs) runs them one by one
 * against their own tests only, a report per module.
 */
export const MODULES = {
  request: { mutate: ['pipeline/request.ts'], tests: ['test/request.test.ts'] },
  rotation: { mutate: ['pipeline/rotation.ts'], tests: ['test/rotation.test.ts'] },
  keys: { mutate: ['pipeline/keys.ts'], tests: ['test/keys.test.ts'] },
  // Reconcile planning (pure), and the read-back that decides whether a created key is trusted.
  reconcile: {
    mutate: functions('pipeline/reconcile.ts', [
      /^export function isOurs\(/,
      /^function sameSet\(/,
      /^export function plan\(/,
      /^function refuseLowerTrigger\(/,
      /^function previousKeys\(/,
      /^async function verifyStored\(/,
    ]),
    tests: ['test/reconcile.test.ts'],
  },
  // Team ids and key aliases (the rest of team-tier.ts is a construct, covered by its snapshot).
  'team-ids': { mutate: functions('constructs/team-tier.ts', [/^  static teamIdFor\(/, /^  static keyAliasFor\(/]), tests: ['test/team-tier.test.ts'] },
  catalog: { mutate: ['constructs/catalog.ts'], tests: ['test/catalog.test.ts'] },
  // The config's sections are tested where their features are: HA and metrics, secret delivery.
  'promise-config': {
    mutate: ['constructs/promise-config.ts'],
    tests: ['test/promise-config.test.ts', 'test/network-policies-config.test.ts', 'test/gateway-ha-config.test.ts', 'test/secret-delivery.test.ts'],
  },
  validation: { mutate: ['constructs/validation.ts'], tests: ['test/validation.test.ts'] },
};

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
  mutate: Object.values(MODULES).flatMap((module) => module.mutate),
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
