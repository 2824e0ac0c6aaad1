import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { deferredImportWork, kubernetesNamesUsed, pruneKubernetesClasses } from '../scripts/bundle.mjs';

const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles `source` (resolved from the project root, so it finds our dependencies) and runs it with node; returns its stdout. */
async function bundleAndRun(source: string, plugins: unknown[]): Promise<string> {
  const outfile = join(dir, `out-${plugins.length}.mjs`);
  writeFileSync(join(dir, 'list-format-counter.mjs'), COUNTER);
  await build({
    stdin: { contents: source.replace("'./list-format-counter.mjs'", JSON.stringify(join(dir, 'list-format-counter.mjs'))), resolveDir: root, sourcefile: 'probe.mjs' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: plugins as never,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  expect(run.stderr).toBe('');
  return run.stdout;
}

// Probe: whether importing got evaluated http2-wrapper (which loads node:http2 and creates a
// tls.TLSSocket, parsing the bundled root certificates) and how many Intl.ListFormat (ICU) it
// created; then that @sindresorhus/is still words its multi-value TypeError.
const COUNTER = `
const Real = Intl.ListFormat;
globalThis.listFormats = 0;
Intl.ListFormat = class extends Real { constructor(...args) { super(...args); globalThis.listFormats++; } };
`;
const PROBE = `
import './list-format-counter.mjs';
import got from 'got';
import is, { assert } from '@sindresorhus/is';
const atImport = { http2: process.moduleLoadList.includes('NativeModule http2'), listFormats: globalThis.listFormats };
let message = '';
try { assert.all(is.string, 1, 'a', 2n); } catch (error) { message = error.message; }
console.log(JSON.stringify({ got: typeof got.extend, atImport, message }));
`;

describe('deferredImportWork (scripts/bundle.mjs)', () => {
  it("keeps got's import from evaluating http2-wrapper or creating Intl.ListFormat, and is's messages unchanged", async () => {
    // GIVEN the same probe bundled as is and with the plugin
    const plain = JSON.parse(await bundleAndRun(PROBE, []));
    const deferred = JSON.parse(await bundleAndRun(PROBE, [deferredImportWork]));
    // THEN without it, importing got loads node:http2 and creates two ListFormats (what the plugin removes)
    expect(plain.atImport).toEqual({ http2: true, listFormats: 2 });
    // AND with it, got is there but neither happened
    expect(deferred.got).toBe('function');
    expect(deferred.atImport).toEqual({ http2: false, listFormats: 0 });
    // AND the deferred Intl.ListFormat words the multi-value TypeError exactly as before
    expect(deferred.message).toMatch(/^Expected values which are/);
    expect(deferred.message).toBe(plain.message);
  }, 60_000);
});

describe('only the Kubernetes classes the constructs use', () => {
  const source = readFileSync(join(root, 'node_modules/cdk8s-plus-28/lib/imports/k8s.js'), 'utf8');

  /** Loads a CommonJS module text the way the bundle would, resolving `cdk8s` from the project. */
  function load(text: string): Record<string, any> {
    const module = { exports: {} as Record<string, any> };
    new Function('exports', 'require', 'module', text)(module.exports, createRequire(join(root, 'package.json')), module);
    return module.exports;
  }

  it('keeps a named class with every function it reaches, and renders exactly what the full module renders', () => {
    // GIVEN the generated module pruned to KubeSecret and KubeDeployment
    const pruned = pruneKubernetesClasses(source, new Set(['KubeSecret', 'KubeDeployment']));
    const full = load(source);
    const kept = load(pruned);
    // THEN it is a small part of the module, without the classes nobody named
    expect(pruned.length).toBeLessThan(source.length / 10);
    expect(Object.keys(kept).filter((k) => k.startsWith('Kube')).sort()).toEqual(['KubeDeployment', 'KubeSecret']);
    expect(kept.KubeService).toBeUndefined();
    // AND a deployment with containers, probes, resources and volumes renders identically (every toJson_ it needs is there)
    const props = {
      metadata: { name: 'x', labels: { a: 'b' } },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'i:1',
                env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
                readinessProbe: { httpGet: { path: '/', port: full.IntOrString.fromNumber(80) } },
                resources: { limits: { cpu: full.Quantity.fromString('1') } },
                volumeMounts: [{ name: 'v', mountPath: '/d' }],
              },
            ],
            volumes: [{ name: 'v', emptyDir: {} }],
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
          },
        },
      },
    };
    expect(kept.KubeDeployment.manifest(props)).toEqual(full.KubeDeployment.manifest(props));
    expect(kept.KubeSecret.manifest({ metadata: { name: 's' }, data: { k: 'dg==' } })).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' } });
  });

  it('keeps what the pipeline names: every k8s.<Name> in constructs/ and pipeline/ that the module declares', () => {
    const used = kubernetesNamesUsed([join(root, 'constructs'), join(root, 'pipeline')]);
    const kept = load(pruneKubernetesClasses(source, used));
    expect(['KubeDeployment', 'KubeSecret', 'KubeService', 'KubeNetworkPolicy', 'KubePersistentVolumeClaim', 'KubeJob', 'KubePodDisruptionBudget', 'KubeConfigMap'].filter((name) => typeof kept[name] !== 'function')).toEqual([]);
  });

  it('fails the build on a line it does not understand, naming it', () => {
    const changed = source.replace('const cdk8s_1 = require("cdk8s");', 'const cdk8s_1 = require("cdk8s");\nlet surprise = 1;');
    expect(() => pruneKubernetesClasses(changed, new Set(['KubeSecret']))).toThrow(/^used-kubernetes-classes: unexpected top-level line 8 of k8s\.js: "let surprise = 1;": update scripts\/bundle\.mjs$/);
  });
});
