/**
 * `npm run pipeline -- <configure|delete> <request.yaml> [--litellm URL] [--dir DIR]`: runs one resource
 * pipeline by hand for a request file, the way Kratix would (the bundled pipeline, the env promise.yaml
 * gives its container, a /kratix-like directory), and prints what it wrote: the LiteLLM calls that
 * changed something, the objects in each output file and the metadata (status). For debugging a request without a cluster.
 *
 * Without --litellm it starts the LiteLLM emulator on loopback (a delete first runs a configure, so
 * there is something to remove). With --litellm it calls that LiteLLM (a real one, or the standalone
 * emulator) with LITELLM_MASTER_KEY and LITELLM_SALT_KEY from the environment. Keys are masked in
 * what it prints. Run `npm run build` first: it runs dist/pipeline.mjs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { resolvePromiseConfig } from '../constructs/index.js';
import { PROMISE_PROPS, renderArtifacts } from '../main.js';
import { redact } from '../pipeline/errors.js';
import { type KratixRunResult, PIPELINE, kratixRun, promiseContainerEnv } from '../test/support/kratix-run.js';
import { LiteLLMEmulator } from '../test/support/litellm-emulator.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const USAGE = 'usage: npm run pipeline -- <configure|delete> <request.yaml> [--litellm URL] [--dir DIR]';

export interface ByHandOptions {
  readonly action: 'configure' | 'delete';
  /** Path of a `kind: ai` request file. */
  readonly requestFile: string;
  /** LiteLLM base URL; absent means a fresh emulator on loopback. */
  readonly litellmUrl?: string;
  /** Where the /kratix-like directory goes. @default .pipeline/<action> in the repository */
  readonly dir?: string;
  /** LITELLM_MASTER_KEY and LITELLM_SALT_KEY for --litellm. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs the pipeline once and returns its exit code; `print` gets every line meant for the terminal. */
export async function runByHand(o: ByHandOptions, print: (line: string) => void): Promise<number> {
  if (!existsSync(PIPELINE)) throw new Error(`${relative(root, PIPELINE)} does not exist: run npm run build first`);
  const object = requestObject(o.requestFile);
  const promise = load(renderArtifacts().get('promise.yaml')!) as any;
  const dir = o.dir ?? join(root, '.pipeline', o.action);
  const env = o.env ?? process.env;

  if (o.litellmUrl !== undefined) {
    const masterKey = env.LITELLM_MASTER_KEY ?? '';
    const saltKey = env.LITELLM_SALT_KEY ?? '';
    if (!masterKey || !saltKey) throw new Error('LITELLM_MASTER_KEY and LITELLM_SALT_KEY must be set to call the LiteLLM given with --litellm');
    print(`LiteLLM at ${o.litellmUrl}`);
    const run = await kratixRun({ type: 'resource', action: o.action, object, litellmUrl: o.litellmUrl, masterKey, saltKey, env: containerEnv(promise, o.action, o.litellmUrl), dir });
    report(run, dir, print);
    return run.code ?? 1;
  }

  const emulator = await LiteLLMEmulator.start({ models: resolvePromiseConfig(PROMISE_PROPS.config).catalog.models.map((m) => m.name) });
  try {
    print(`LiteLLM emulator at ${emulator.url} (stopped when this command ends)`);
    const common = { type: 'resource' as const, object, litellmUrl: emulator.url, masterKey: emulator.masterKey, saltKey: 'sk-by-hand-salt-key-not-for-production', dir };
    if (o.action === 'delete') {
      const setup = await kratixRun({ ...common, action: 'configure', env: containerEnv(promise, 'configure', emulator.url) });
      print(`setup: configure first, so the delete has something to remove (exit ${setup.code})`);
      if (setup.code !== 0) {
        report(setup, dir, print);
        return setup.code ?? 1;
      }
      emulator.resetRequests();
    }
    const run = await kratixRun({ ...common, action: o.action, env: containerEnv(promise, o.action, emulator.url) });
    const writes = emulator.writes();
    print(`LiteLLM writes: ${writes.length === 0 ? 'none' : ''}`);
    for (const w of writes) print(`  ${w.method} ${w.path} -> ${w.status} ${redact(JSON.stringify(w.body))}`);
    report(run, dir, print);
    return run.code ?? 1;
  } finally {
    await emulator.stop();
  }
}

/** The request as Kratix passes it: the stored object, with a namespace and a uid. */
function requestObject(file: string): Record<string, any> {
  const path = isAbsolute(file) ? file : join(process.cwd(), file);
  const object = load(readFileSync(path, 'utf8')) as Record<string, any> | null;
  if (!object || typeof object !== 'object') throw new Error(`${file} holds no request`);
  const metadata = { namespace: 'default', ...(object.metadata ?? {}) };
  metadata.uid ??= `by-hand-${metadata.namespace}-${metadata.name}`;
  return { ...object, metadata };
}

/** The env promise.yaml gives the container of a resource workflow, pointed at `litellmUrl`. */
function containerEnv(promise: any, action: 'configure' | 'delete', litellmUrl: string): Record<string, string> {
  return { ...promiseContainerEnv(promise, 'resource', action), LITELLM_URL: litellmUrl };
}

function report(run: KratixRunResult, dir: string, print: (line: string) => void): void {
  print(`exit ${run.code}${run.stderr.trim() ? `; stderr: ${redact(run.stderr.trim())}` : ''}`);
  // Objects by kind and name: the files themselves are in the directory, and Secrets stay there.
  for (const [path, content] of run.outputs) {
    const objects = (loadAll(content) as any[]).filter(Boolean).map((o) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`);
    print(`output/${path}: ${objects.join(', ') || 'no objects'}`);
  }
  for (const [path, content] of run.metadata) {
    print(`--- metadata/${path}`);
    print(redact(content).trimEnd());
  }
  print(`(files in ${relative(process.cwd(), dir) || '.'})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const litellmUrl = flag('--litellm');
  const dir = flag('--dir');
  const [action, requestFile] = args;
  if ((action !== 'configure' && action !== 'delete') || !requestFile || args.length !== 2) {
    console.error(USAGE);
    process.exit(2);
  }
  try {
    process.exitCode = await runByHand({ action, requestFile, litellmUrl, dir }, (line) => console.log(line));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
