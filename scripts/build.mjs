// Bundles the pipeline (how: scripts/bundle.mjs). Two forms of the same code, which
// test/build.test.ts checks write byte-identical outputs:
//
//   dist/pipeline.mjs            one self-contained ESM file: `node dist/pipeline.mjs`, no node_modules
//   dist/pipeline.snapshot.cjs   the same pipeline as one CommonJS script: the startup snapshot's entry
//   dist/pipeline.blob           V8 startup snapshot built from it by *this* Node binary
//   dist/pipeline                launcher, `node --single-threaded --snapshot-blob <its dir>/pipeline.blob`: the image's entrypoint
//
// A run from the snapshot skips reading, compiling and evaluating the bundle (cdk8s, cdk8s-plus-28,
// js-yaml, the constructs); docs/benchmarks.md measures each step. The blob loads only in the Node
// binary that built it, so the Dockerfile builds the image's own.
//
// Everything is built in a staging directory, checked (the launcher runs once), and then renamed
// into dist/ file by file: a test or benchmark running meanwhile never sees a missing or half-written
// file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildBlob, bundleEsm, bundleSnapshotEntry, writeLauncher } from './bundle.mjs';

const FILES = ['pipeline.mjs', 'pipeline.snapshot.cjs', 'pipeline.blob', 'pipeline'];

mkdirSync('dist', { recursive: true });
const stage = mkdtempSync(join('dist', '.build-'));
try {
  await Promise.all([bundleEsm({ outfile: join(stage, 'pipeline.mjs') }), bundleSnapshotEntry({ outfile: join(stage, 'pipeline.snapshot.cjs') })]);
  buildBlob({ entry: join(stage, 'pipeline.snapshot.cjs'), blob: join(stage, 'pipeline.blob') });
  writeLauncher(join(stage, 'pipeline'));
  smokeTest(join(stage, 'pipeline'));
  for (const file of FILES) renameSync(join(stage, file), join('dist', file));
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/** One launcher run (promise configure into a scratch dir, no network): a blob that does not load fails the build. */
function smokeTest(launcher) {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-build-'));
  try {
    const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, KRATIX_DIR: dir, KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: 'configure' };
    const run = spawnSync(launcher, [], { env, encoding: 'utf8' });
    let status = '';
    try {
      status = readFileSync(join(dir, 'metadata', 'status.yaml'), 'utf8');
    } catch {
      // reported below
    }
    if (run.status !== 0 || !status.includes('message:')) {
      throw new Error(`${launcher} does not run (exit ${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
