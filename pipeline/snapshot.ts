/**
 * Building the startup snapshot (`dist/pipeline.snapshot.cjs` → `dist/pipeline.blob`, started by the
 * `dist/pipeline` launcher): its entry, snapshot-entry.ts, calls startFromSnapshot. scripts/build.mjs
 * bundles the entry to one CommonJS file, and `node --single-threaded --snapshot-blob pipeline.blob --build-snapshot
 * pipeline.snapshot.cjs` runs it once at build time: every module (got included) is evaluated then,
 * and one warm-up run compiles the code a run needs, so a pipeline pod only deserializes the heap and
 * calls `main`. Run directly (`node dist/pipeline.snapshot.cjs`) it behaves like main.ts.
 *
 * Rules for code reachable from here (scripts/bundle.mjs enforces what it can):
 * - no top-level await (CommonJS), no `import.meta`;
 * - nothing run-dependent at module level: env, files and the clock are read inside runPipeline
 *   (a module-level `Date.now()` or `process.env.X` would be frozen at build time);
 * - no `crypto.randomUUID()` at module level or in the warm-up: Node caches a batch of entropy for
 *   it, and every run from the snapshot would repeat the same UUIDs (Math.random and randomBytes are
 *   reseeded);
 * - no sockets, timers or other handles left open at module level or by the warm-up;
 * - Array.prototype.toSorted, toReversed and with do not exist while Node 20 builds a snapshot (they
 *   do at run time): not at module level nor on the warm-up's path;
 * - node:http, https, http2, tls and child_process are loaded on first use at run time (a snapshot
 *   cannot contain them: Node 20 and 24 refuse or crash); got is evaluated at build time against
 *   stand-ins for them, and the import work of its dependencies that would load tls or start ICU is
 *   deferred (scripts/bundle.mjs, deferredImportWork).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startupSnapshot } from 'node:v8';
import { resolvePromiseConfig } from '../constructs/promise-config.js';
import { runPipeline } from './run.js';
import { resourceOutputs } from './synth.js';

/** A placeholder of the length of a derived secret; the warm-up's output is thrown away. */
const WARM_UP_SECRET = 'warm-up-placeholder-0123456789abcdefghijklm';

/**
 * Compiles, at build time, the code every run needs, by running the pipeline twice into a scratch
 * directory with no network and no credentials:
 * - promise configure with the default catalog: cdk8s synthesis, the constructs, YAML output;
 * - resource configure of a valid request: reading and validating input/object.yaml, the key epoch,
 *   up to the credentials, which it does not have (a run needs them before it can reach LiteLLM, so
 *   this one stops there with exit 1 and a failure status);
 * - the manifests that request would get (resourceOutputs, with placeholder secrets).
 * It leaves nothing behind but compiled code. Anything else (a crash, an unexpected error) fails
 * the build.
 */
async function warmUp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-snapshot-'));
  const errors: string[] = [];
  const io = { log: () => {}, error: (line: string) => errors.push(line) };
  try {
    const promise = await runPipeline({ ...io, env: { KRATIX_DIR: dir, KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: 'configure' } });
    if (promise !== 0) throw new Error(`snapshot warm-up: promise configure failed (exit ${promise}): ${errors.join('; ')}`);
    mkdirSync(join(dir, 'input'), { recursive: true });
    writeFileSync(
      join(dir, 'input', 'object.yaml'),
      [
        'apiVersion: marketplace.kratix.io/v1alpha1',
        'kind: ai',
        'metadata: {name: warm-up, namespace: default, uid: 00000000-0000-4000-8000-000000000000, generation: 1}',
        'spec: {tier: small, ui: true, team: platform, models: [gpt-5]}',
        '',
      ].join('\n'),
    );
    errors.length = 0;
    const resource = await runPipeline({ ...io, env: { KRATIX_DIR: dir, KRATIX_WORKFLOW_TYPE: 'resource', KRATIX_WORKFLOW_ACTION: 'configure' } });
    if (resource !== 1 || errors.length !== 1 || errors[0]!.includes('unexpected error')) {
      throw new Error(`snapshot warm-up: resource configure without credentials should stop with exit 1 and one error line, got exit ${resource}: ${errors.join('; ')}`);
    }
    // What that run would synthesize once it had reached LiteLLM: the key Secret, the UI and the
    // Backstage entity. Pure, so it leaves nothing behind; without it, a steady-state run compiles
    // these constructs on every start.
    resourceOutputs({
      config: resolvePromiseConfig(),
      ui: true,
      webuiSecretKey: WARM_UP_SECRET,
      webuiAdminPassword: WARM_UP_SECRET,
      teamTier: {
        tier: 'small',
        models: ['gpt-5'],
        owner: 'platform',
        requestNamespace: 'default',
        requestName: 'warm-up',
        requestUid: '00000000-0000-4000-8000-000000000000',
        apiKey: `sk-${WARM_UP_SECRET}`,
        gatewayUrl: 'http://litellm.ai-platform.svc.cluster.local:4000',
        keyEpoch: 'r0',
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * While the snapshot is built: makes `main` the function a run from the blob calls, and warms up.
 * Otherwise (the bundle run directly): calls `main` now.
 */
export function startFromSnapshot(main: () => void): void {
  if (!startupSnapshot.isBuildingSnapshot()) {
    main();
    return;
  }
  startupSnapshot.setDeserializeMainFunction(main);
  // PIPELINE_SNAPSHOT_WARMUP=0 (read at build time only) builds a blob without the warm-up run, for
  // the benchmark's step-by-step table.
  if (process.env.PIPELINE_SNAPSHOT_WARMUP !== '0') {
    warmUp().catch((error: unknown) => {
      process.stderr.write(`${(error as Error)?.message ?? String(error)}\n`);
      process.exit(1);
    });
  }
}
