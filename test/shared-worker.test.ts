import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEST_DIR, testSources } from './support/test-sources.js';

/*
 * vitest.config.ts runs the test files of a worker in one module graph (`isolate: false`): a file
 * that mocked a module, stubbed the environment or a global, or changed the process's directory
 * would leak into the files after it. This keeps every test file free of those.
 */

/** What leaks from one test file into the next in a shared module graph. */
const LEAKS = [
  /\bvi\.(mock|doMock|stubEnv|stubGlobal|useFakeTimers|spyOn)\(/,
  /\bprocess\.env(\.\w+|\[[^\]]+\])\s*=[^=]/,
  /\bdelete\s+process\.env\b/,
  /\bprocess\.chdir\(/,
  /\bfc\.configureGlobal\(/,
];
/** Sets the run's property seed once, the same for every file (vitest setupFiles). */
const ALLOWED = ['support/property-seed.ts', 'shared-worker.test.ts'];

describe('test files sharing a worker', () => {
  it('leave no module mock, stubbed env or global, directory change or property setting behind', () => {
    const sources = testSources().filter((file) => !ALLOWED.includes(file));
    expect(sources.length).toBeGreaterThan(50);
    const offenders = sources.flatMap((file) => {
      const text = readFileSync(new URL(file, TEST_DIR), 'utf8');
      return LEAKS.filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${pattern}`);
    });
    expect(offenders).toEqual([]);
  });

  it('the guard catches each kind of leak', () => {
    const leaky = ["vi.mock('got')", "vi.stubEnv('CI', '1')", 'process.env.CI = "1"', "process.env['X'] = 'y'", 'delete process.env.CI', "process.chdir('/tmp')", 'fc.configureGlobal({})'];
    expect(leaky.map((line) => LEAKS.some((pattern) => pattern.test(line)))).toEqual([true, true, true, true, true, true, true]);
    expect(LEAKS.some((pattern) => pattern.test("if (process.env.CI === '1') {}"))).toBe(false);
  });
});
