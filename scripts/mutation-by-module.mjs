// `npm run mutation:modules [name...]`: Stryker over each pure module (stryker.config.mjs MODULES)
// against that module's own unit tests, one run per module, each with its own report
// (reports/mutation/<name>.json and .html) and incremental file. Slower in total than
// `npm run mutation`, but a module's score says how well *its* tests guard it, and each report is
// written as soon as its module is done.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { MODULES } from '../stryker.config.mjs';

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(MODULES);
mkdirSync('reports/mutation', { recursive: true });
let failed = 0;
for (const name of names) {
  const module = MODULES[name];
  if (!module) throw new Error(`no module '${name}': one of ${Object.keys(MODULES).join(', ')}`);
  console.log(`\n=== ${name}: ${module.mutate.join(', ')} against ${module.tests.join(', ')}`);
  const run = spawnSync('npx', ['stryker', 'run', '--mutate', module.mutate.join(','), '--incrementalFile', `reports/stryker-incremental-${name}.json`], {
    stdio: 'inherit',
    env: { ...process.env, MUTATION_TESTS: module.tests.join(',') },
  });
  if (run.status !== 0) failed++;
  for (const ext of ['json', 'html']) {
    const report = `reports/mutation/${ext === 'json' ? 'mutation.json' : 'index.html'}`;
    if (existsSync(report)) copyFileSync(report, `reports/mutation/${name}.${ext}`);
  }
}

// One line per module, for docs/testing.md: Stryker's score counts killed and timed-out mutants
// over all valid ones (ignored static mutants are not valid).
console.log('\n| module | mutants | killed | timed out | survived | no coverage | score |\n|---|---|---|---|---|---|---|');
for (const name of names) {
  const file = `reports/mutation/${name}.json`;
  if (!existsSync(file)) continue;
  const mutants = Object.values(JSON.parse(readFileSync(file, 'utf8')).files).flatMap((f) => f.mutants);
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const valid = count('Killed') + count('Timeout') + count('Survived') + count('NoCoverage');
  const score = valid === 0 ? 'n/a' : `${((100 * (count('Killed') + count('Timeout'))) / valid).toFixed(1)}%`;
  console.log(`| ${name} | ${valid} | ${count('Killed')} | ${count('Timeout')} | ${count('Survived')} | ${count('NoCoverage')} | ${score} |`);
}
process.exit(failed > 0 ? 1 : 0);
