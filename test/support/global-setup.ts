/**
 * Vitest global setup: the end-to-end tests spawn dist/pipeline.mjs (and build.test.ts the
 * launcher and blob), so they must never run an old bundle. Before any test file runs, this builds
 * the bundle (`node scripts/build.mjs`, once per `vitest run`) unless every file in dist/ is newer
 * than every input of the build: a bare `npx vitest run` after an edit tests the edit, and a run
 * with nothing changed costs a directory scan.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

/** What scripts/build.mjs reads: the bundled sources, the build scripts, the dependencies. */
const INPUTS = ['pipeline', 'constructs', 'imports', 'main.ts', 'scripts/build.mjs', 'scripts/bundle.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** What it writes (scripts/build.mjs FILES). */
const OUTPUTS = ['pipeline.mjs', 'pipeline.snapshot.cjs', 'pipeline.blob', 'pipeline'].map((file) => join('dist', file));

/** Newest modification time under `path` (a file or a directory tree), 0 when absent. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, entry) => Math.max(max, newest(join(path, entry))), stat.mtimeMs);
}

/** Why the bundle must be built, or undefined when it is up to date. */
export function staleReason(root: string = ROOT): string | undefined {
  const missing = OUTPUTS.find((file) => !existsSync(join(root, file)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...OUTPUTS.map((file) => statSync(join(root, file)).mtimeMs));
  const changed = INPUTS.find((input) => newest(join(root, input)) > built);
  return changed ? `${changed} changed after the last build` : undefined;
}

export default function setup(): void {
  const reason = staleReason();
  if (reason === undefined) return;
  console.log(`global setup: building the pipeline bundle (${reason})`);
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status ?? build.signal}):\n${build.stdout}${build.stderr}`);
  const still = staleReason();
  if (still !== undefined) throw new Error(`the bundle is still stale after building: ${still}`);
}
