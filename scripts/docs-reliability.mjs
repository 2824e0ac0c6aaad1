// Regenerates docs/reliability.md (`npm run docs:reliability`). The document reports what the fault
// matrix in test/faults.test.ts ran, so it is rendered by that test file: this script runs it with
// RELIABILITY_DOC_OUT pointing at a scratch file, and copies the rendering into docs/ once the
// whole matrix passed (the test renders only from a complete matrix). The tests themselves never
// write into the repository; on an outdated document they fail, naming this script.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DOC = 'docs/reliability.md';
const scratch = mkdtempSync(join(tmpdir(), 'reliability-doc-'));
const out = join(scratch, 'reliability.md');
try {
  const vitest = spawnSync('npx', ['vitest', 'run', 'test/faults.test.ts'], { stdio: 'inherit', env: { ...process.env, RELIABILITY_DOC_OUT: out } });
  if (!existsSync(out)) {
    console.error(`The fault matrix did not complete (vitest exit ${vitest.status ?? vitest.signal}): ${DOC} is unchanged.`);
    process.exit(1);
  }
  const content = readFileSync(out, 'utf8');
  if (existsSync(DOC) && readFileSync(DOC, 'utf8') === content) {
    console.log(`${DOC} is up to date.`);
  } else {
    writeFileSync(DOC, content);
    console.log(`${DOC} regenerated: review and commit it.`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
