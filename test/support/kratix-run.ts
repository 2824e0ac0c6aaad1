import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { dump, load } from 'js-yaml';
import { TEST_CONFIG_ENV } from './test-catalog.js';

/**
 * What Kratix runs: the image's entrypoint, the launcher that starts the pipeline from its startup
 * snapshot (built by `npm run build`, which vitest's global setup runs when the bundle is stale, with the Node that runs the tests:
 * a blob loads only in the Node that built it). build.test.ts proves it writes exactly what
 * `node dist/pipeline.mjs` writes; it costs about half the CPU per run, and the suite runs the
 * pipeline ~1000 times.
 */
export const PIPELINE = new URL('../../dist/pipeline', import.meta.url).pathname;

export const SALT_KEY = 'sk-salt-key-for-tests-fedcba9876543210';

export interface KratixRunOptions {
  readonly type: 'promise' | 'resource';
  readonly action: 'configure' | 'delete';
  /** The object Kratix writes to input/object.yaml; a string is written as is. */
  readonly object: unknown;
  readonly litellmUrl: string;
  readonly masterKey: string;
  /** @default SALT_KEY */
  readonly saltKey?: string;
  /**
   * Extra or overriding env (e.g. AI_PROMISE_CONFIG, LITELLM_TIMEOUT_MS). AI_PROMISE_CONFIG defaults to
   * the tests' own catalog (test/support/test-catalog.ts), as promise.yaml would carry it.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Directory laid out like /kratix; emptied first. @default a new temp directory */
  readonly dir?: string;
  /** The program and its arguments. @default the launcher, dist/pipeline (`node dist/pipeline.mjs` is the plain bundle) */
  readonly command?: readonly string[];
  /** Kill the run after this long; a test that hits it has found a hang. @default 30_000 */
  readonly killAfterMs?: number;
  /**
   * Keep what an earlier run left in `dir` (output/, metadata/), as when Kratix restarts a failed
   * container in the same pod with the same emptyDirs; only input/object.yaml is (re)written.
   * @default false (every run gets empty directories)
   */
  readonly samePod?: boolean;
  /** Called with the directory once it is laid out, before the run: to break it on purpose. */
  readonly prepare?: (dir: string) => void;
}

export interface KratixRunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
  readonly elapsedMs: number;
  /** output/ files: path relative to output/ → content. */
  readonly outputs: Map<string, string>;
  /** metadata/ files: path relative to metadata/ → content. */
  readonly metadata: Map<string, string>;
  /** metadata/status.yaml parsed, or undefined when absent. */
  readonly status: any;
  /** metadata/status.yaml as written. */
  readonly statusText: string;
}

/**
 * Runs the bundled pipeline the way Kratix does: a fresh /kratix-like directory with
 * input/object.yaml, KRATIX_* env, and nothing else from this process's environment.
 */
export async function kratixRun(o: KratixRunOptions): Promise<KratixRunResult> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'kratix-'));
  // Kratix gives every run empty directories; a reused one must look the same.
  for (const d of ['input', 'output', 'metadata']) {
    if (!o.samePod) rmSync(join(dir, d), { recursive: true, force: true });
    mkdirSync(join(dir, d), { recursive: true });
  }
  writeFileSync(join(dir, 'input', 'object.yaml'), typeof o.object === 'string' ? o.object : dump(o.object));
  o.prepare?.(dir);
  const object = (typeof o.object === 'object' && o.object !== null ? o.object : {}) as { kind?: string; metadata?: { name?: string; namespace?: string } };
  const env: Record<string, string> = {
    // The launcher execs `node` from PATH: the Node that built its blob, this one.
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    KRATIX_DIR: dir,
    KRATIX_WORKFLOW_TYPE: o.type,
    KRATIX_WORKFLOW_ACTION: o.action,
    KRATIX_PROMISE_NAME: 'ai',
    KRATIX_PIPELINE_NAME: o.type === 'promise' ? 'gateway' : o.action === 'configure' ? 'provision' : 'deprovision',
    KRATIX_OBJECT_KIND: object.kind ?? '',
    KRATIX_OBJECT_NAME: object.metadata?.name ?? '',
    KRATIX_OBJECT_NAMESPACE: object.metadata?.namespace ?? '',
    LITELLM_URL: o.litellmUrl,
    LITELLM_MASTER_KEY: o.masterKey,
    LITELLM_SALT_KEY: o.saltKey ?? SALT_KEY,
    AI_PROMISE_CONFIG: TEST_CONFIG_ENV,
    ...o.env,
  };
  const started = Date.now();
  const [program, ...args] = o.command ?? [PIPELINE];
  const child = spawn(program!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  const elapsedMs = Date.now() - started;

  const outputs = filesUnder(join(dir, 'output'));
  const metadata = filesUnder(join(dir, 'metadata'));
  const statusText = metadata.get('status.yaml') ?? '';
  return { code, stdout, stderr, dir, elapsedMs, outputs, metadata, status: statusText ? load(statusText) : undefined, statusText };
}

/** Every file below `root`: path relative to it → content. */
function filesUnder(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // a directory a test broke on purpose
    }
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}

/** A resource request as Kratix passes it: the stored object, with its uid. */
export function aiRequest(name: string, namespace: string, spec: Record<string, unknown>, uid = `uid-${namespace}-${name}`): Record<string, unknown> {
  return { apiVersion: 'marketplace.kratix.io/v1alpha1', kind: 'ai', metadata: { name, namespace, uid, generation: 1 }, spec };
}

/**
 * The literal env that promise.yaml gives the container of one workflow's first pipeline. The
 * credentials are `secretKeyRef`s there, which only Kubernetes resolves: they are left out, and the
 * caller passes them (kratixRun's masterKey and saltKey).
 */
export function promiseContainerEnv(promise: any, type: 'promise' | 'resource', action: 'configure' | 'delete'): Record<string, string> {
  const container = promise.spec.workflows[type][action][0].spec.containers[0];
  const literal = (container.env as { name: string; value?: string }[]).filter((e): e is { name: string; value: string } => e.value !== undefined);
  return Object.fromEntries(literal.map((e) => [e.name, e.value]));
}
