// How the pipeline is bundled: shared by scripts/build.mjs (which writes dist/) and scripts/bench.ts
// (which rebuilds the intermediate forms to measure what each step gives).
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

/** Node built-ins a Node 20 or 24 startup snapshot cannot hold (they throw, crash or warn in --build-snapshot). */
export const SNAPSHOT_UNSAFE_BUILTINS = ['http', 'https', 'http2', 'tls', 'child_process'];

/**
 * Packages the ESM bundle evaluates on first use instead of when it starts: `got` costs ~10-20 ms of
 * CPU to evaluate and is needed only by the runs that call LiteLLM. (The startup snapshot evaluates
 * it at build time instead, see deferredImportWork.) Only a default export is reachable through the
 * proxy: a named import of one of these fails the build, loudly.
 */
export const LAZY_PACKAGES = ['got'];

/** cdk8s and its dependencies are CommonJS and call require() for node built-ins. */
const ESM_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

// node20: the oldest Node that runs the bundles (local development); the image runs Node 24.
const common = { bundle: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning' };

/**
 * Routes static imports of the packages `filter` matches to a stand-in module, `standIn(real)`,
 * where `real` is a specifier (already a JS string literal) that `require`s the real package: it
 * resolves as usual, bundled behind esbuild's lazy wrapper, so it is evaluated only when the
 * stand-in first asks for it. Each plugin that uses this names its own `marker`.
 */
function routeToStandIn(b, { filter, marker, standIn }) {
  const namespace = `stand-in-${marker}`;
  const suffix = `?${marker}`;
  b.onResolve({ filter }, (args) => {
    if (args.pluginData?.[marker] || args.kind === 'dynamic-import') return undefined;
    return { path: args.path, namespace, pluginData: { resolveDir: args.resolveDir } };
  });
  b.onLoad({ filter: /.*/, namespace }, (args) => ({
    contents: standIn(JSON.stringify(`${args.path}${suffix}`)),
    loader: 'js',
    resolveDir: args.pluginData.resolveDir,
  }));
  b.onResolve({ filter: new RegExp(`\\?${marker}$`) }, (args) =>
    b.resolve(args.path.slice(0, -suffix.length), { resolveDir: args.resolveDir, kind: 'require-call', pluginData: { [marker]: true } }),
  );
}

/**
 * A lazy package becomes a callable proxy of its default export; the real module is evaluated on
 * first call or property access.
 */
export const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    routeToStandIn(b, {
      filter: new RegExp(`^(${LAZY_PACKAGES.join('|')})$`),
      marker: 'real',
      standIn: (real) =>
        [
          `let real; const load = () => (real ??= require(${real}).default);`,
          'export default new Proxy(function () {}, {',
          '  apply: (_t, self, params) => Reflect.apply(load(), self, params),',
          '  construct: (_t, params, target) => Reflect.construct(load(), params, target),',
          '  get: (_t, key) => { const real = load(); const value = real[key]; return typeof value === "function" ? value.bind(real) : value; },',
          '  has: (_t, key) => key in load(),',
          '});',
          '',
        ].join('\n'),
    });
  },
};

/**
 * Work that got's dependencies do when they are imported and a pipeline run never needs, deferred
 * to first use (both bundles). Each costs tens of ms of CPU at import and stops got from being
 * evaluated into a startup snapshot:
 * - http2-wrapper (got's `http2: true`, which the pipeline never sets) creates a `tls.TLSSocket` at
 *   import to reach an internal class, which loads node:tls and parses Node's bundled root
 *   certificates (~30 ms). It becomes a stand-in whose properties load the real module when read;
 *   got only reads them (`http2wrapper.auto`, `.globalAgent`) for an https URL with `http2: true`.
 * - @sindresorhus/is (got's argument checks) creates two `Intl.ListFormat` at import, which starts
 *   ICU (~20 ms), only to word the message of one kind of TypeError. They become objects that
 *   create the formatter on their first `format` call.
 * The patch is textual: if a dependency update changes the code it matches, the build fails and
 * says which file, rather than silently keeping the cost.
 */
export const deferredImportWork = {
  name: 'deferred-import-work',
  setup(b) {
    routeToStandIn(b, {
      filter: /^http2-wrapper$/,
      marker: 'deferred',
      // No ownKeys trap: esbuild's interop copies own keys at import, which would load the module.
      standIn: (real) =>
        [
          `let real; const load = () => (real ??= require(${real}));`,
          'module.exports = new Proxy({}, {',
          '  get: (_t, key) => (key === "__esModule" ? undefined : load()[key]),',
          '  has: (_t, key) => key in load(),',
          '});',
          '',
        ].join('\n'),
    });
    b.onLoad({ filter: /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      let found = 0;
      const patched = source.replace(/new Intl\.ListFormat\(('en', \{[^}]*\})\)/g, (_m, params) => {
        found++;
        return `__deferredListFormat(${params})`;
      });
      if (found !== 2) throw new Error(`deferred-import-work: expected 2 \`new Intl.ListFormat('en', {...})\` in ${args.path}, found ${found}: update scripts/bundle.mjs`);
      const helper = 'function __deferredListFormat(locale, options) { let f; return { format: (list) => (f ??= new Intl.ListFormat(locale, options)).format(list) }; }';
      return { contents: `${patched}\n${helper}\n`, loader: 'js' };
    });
  },
};

/**
 * cdk8s-plus-28's generated Kubernetes classes (`lib/imports/k8s.js`) are one CommonJS module of
 * 141 API classes and 440 `toJson_*` functions, about 40% of the minified bundle, and esbuild cannot
 * tree-shake CommonJS. The constructs use a few of them (`k8s.<Name>`, through constructs/k8s.ts).
 * This keeps the module's top-level declarations that the constructs and the pipeline name, and
 * everything those reach, transitively; the rest never enters the bundle or the startup snapshot.
 * The generated file is regular (each declaration starts at column 0 and ends at a column-0 `}`
 * or `};`); anything else fails the build, naming the line, rather than produce a broken module.
 */
export const usedKubernetesClasses = {
  name: 'used-kubernetes-classes',
  setup(b) {
    b.onLoad({ filter: /[\\/]cdk8s-plus-28[\\/]lib[\\/]imports[\\/]k8s\.js$/ }, (args) => ({
      contents: pruneKubernetesClasses(readFileSync(args.path, 'utf8'), kubernetesNamesUsed(), args.path),
      loader: 'js',
    }));
  },
};

/** Every `k8s.<Name>` the pipeline's sources mention (types included: they simply match nothing). */
export function kubernetesNamesUsed(dirs = ['constructs', 'pipeline'].map((d) => fileURLToPath(new URL(`../${d}`, import.meta.url)))) {
  const names = new Set();
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/\bk8s\.([A-Za-z_$][\w$]*)/g)) names.add(match[1]);
    }
  }
  return names;
}

/** The generated module with only the declarations reachable from `roots` (see usedKubernetesClasses). */
export function pruneKubernetesClasses(source, roots, path = 'k8s.js') {
  const lines = source.split('\n');
  const preambleEnd = lines.findIndex((line) => /^const cdk8s_1 = require\("cdk8s"\);$/.test(line));
  if (preambleEnd < 0) throw new Error(`used-kubernetes-classes: no 'const cdk8s_1 = require("cdk8s");' in ${path}: update scripts/bundle.mjs`);
  // Units: one top-level statement each, with the name it belongs to.
  const units = [];
  let rtti;
  for (let i = preambleEnd + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      while (!lines[i].endsWith('*/')) i++;
      continue;
    }
    const start = i;
    let name;
    let m;
    if ((m = /^(?:class|function) ([\w$]+)\b/.exec(line))) {
      name = m[1];
      while (lines[i] !== '}') if (++i >= lines.length) throw new Error(`used-kubernetes-classes: no end of ${name} in ${path}`);
    } else if ((m = /^([\w$]+)\.GVK = \{$/.exec(line))) {
      name = m[1];
      while (lines[i] !== '};') if (++i >= lines.length) throw new Error(`used-kubernetes-classes: no end of ${name}.GVK in ${path}`);
    } else if ((m = /^exports\.([\w$]+) = \1;$/.exec(line))) {
      name = m[1];
    } else if (/^_[\w$]* = JSII_RTTI_SYMBOL_1;$/.test(line)) {
      rtti = line; // belongs to the next line, `Name[_n] = { fqn: ... }`
      continue;
    } else if ((m = /^([\w$]+)\[_[\w$]*\] = \{ fqn: .*\};$/.exec(line))) {
      name = m[1];
      units.push({ name, text: `${rtti}\n${line}` });
      continue;
    } else if ((m = /^var ([\w$]+);$/.exec(line))) {
      // An enum: `var E;`, then `(function (E) { ... })(E = exports.E || (exports.E = {}));`
      name = m[1];
      i++;
      while (!lines[i].startsWith(`})(${name} = `)) if (++i >= lines.length) throw new Error(`used-kubernetes-classes: no end of enum ${name} in ${path}`);
    } else {
      throw new Error(`used-kubernetes-classes: unexpected top-level line ${i + 1} of ${path}: ${JSON.stringify(line.slice(0, 80))}: update scripts/bundle.mjs`);
    }
    units.push({ name, text: lines.slice(start, i + 1).join('\n') });
  }
  const byName = new Map();
  for (const unit of units) byName.set(unit.name, [...(byName.get(unit.name) ?? []), unit]);
  const kept = new Set();
  const queue = [...roots].filter((name) => byName.has(name));
  while (queue.length > 0) {
    const name = queue.pop();
    if (kept.has(name)) continue;
    kept.add(name);
    for (const unit of byName.get(name)) {
      for (const [word] of unit.text.matchAll(/[A-Za-z_$][\w$]*/g)) if (byName.has(word) && !kept.has(word)) queue.push(word);
    }
  }
  // The preamble's `exports.A = exports.B = ... = void 0;` only pre-declares export names: dropped.
  const preamble = lines.slice(0, preambleEnd + 1).filter((line) => !/^exports\..* = void 0;$/.test(line));
  return [...preamble, ...units.filter((u) => kept.has(u.name)).map((u) => u.text), ''].join('\n');
}

/**
 * Makes a CommonJS bundle snapshot-safe without touching the source:
 * - a static import of an unsafe built-in gets a stand-in whose functions and classes are proxies
 *   that `require` the real module when called, constructed or inspected, and whose other values are
 *   getters: code that keeps a reference at module level (cdk8s: `spawnSync: child_process.spawnSync`)
 *   loads nothing; `prototype` and statics come from the real module, so subclassing and instanceof
 *   work;
 * - `import('node:x')` becomes a bundled `require` (a snapshot has no dynamic-import callback).
 */
export const snapshotBuiltins = {
  name: 'snapshot-builtins',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.namespace === 'builtin-require' || args.namespace === 'builtin-lazy') return { path: args.path, external: true };
      const name = args.path.replace(/^node:/, '');
      if (!builtins.has(name)) return undefined;
      if (args.kind === 'dynamic-import') return { path: name, namespace: 'builtin-require' };
      if (SNAPSHOT_UNSAFE_BUILTINS.includes(name)) return { path: name, namespace: 'builtin-lazy' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});\n`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-lazy' }, (args) => {
      const real = require(`node:${args.path}`);
      const exports = Object.keys(real)
        .filter((n) => n !== '__esModule')
        .map((n) =>
          typeof real[n] === 'function'
            ? `exports[${JSON.stringify(n)}] = lazy(${JSON.stringify(n)});`
            : `Object.defineProperty(exports, ${JSON.stringify(n)}, { enumerable: true, get: () => load()[${JSON.stringify(n)}] });`,
        );
      return {
        contents: [
          `let m; const load = () => (m ??= require(${JSON.stringify(`node:${args.path}`)}));`,
          'const lazy = (name) => {',
          '  const proxy = new Proxy(function () {}, {',
          '    apply: (_t, self, params) => Reflect.apply(load()[name], self, params),',
          '    construct: (_t, params, target) => Reflect.construct(load()[name], params, target === proxy ? load()[name] : target),',
          '    get: (_t, key) => Reflect.get(load()[name], key),',
          '    has: (_t, key) => Reflect.has(load()[name], key),',
          '  });',
          '  return proxy;',
          '};',
          ...exports,
          '',
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/**
 * The ESM bundle `node <outfile>` runs (dist/pipeline.mjs). The benchmark turns the steps off one by
 * one (`minify`, `lazy`: LAZY_PACKAGES evaluated on first use, `defer`: deferredImportWork, `prune`:
 * usedKubernetesClasses) to measure each.
 */
export function bundleEsm({ entry = 'pipeline/main.ts', outfile, minify = true, lazy = true, defer = true, prune = true }) {
  const plugins = [...(lazy ? [lazyPackages] : []), ...(defer ? [deferredImportWork] : []), ...(prune ? [usedKubernetesClasses] : [])];
  return build({ ...common, entryPoints: [entry], outfile, format: 'esm', minify, plugins, banner: { js: ESM_BANNER } });
}

/** The CommonJS bundle a startup snapshot is built from (dist/pipeline.snapshot.cjs); runs with plain `node` too. */
export function bundleSnapshotEntry({ entry = 'pipeline/snapshot-entry.ts', outfile }) {
  return build({
    ...common,
    entryPoints: [entry],
    outfile,
    format: 'cjs',
    minify: true,
    // got is evaluated at build time, into the snapshot: deferredImportWork keeps its import free of
    // TLS and ICU, snapshotBuiltins gives it stand-ins for node:http & co.
    plugins: [deferredImportWork, snapshotBuiltins, usedKubernetesClasses],
    // `import.meta` is empty in CommonJS: code that needs it cannot be in the snapshot.
    logOverride: { 'empty-import-meta': 'error' },
  });
}

/**
 * Node options a blob is built and started with; V8 refuses a blob built under other V8 flags, so
 * the launcher, the Dockerfile and the benchmark all use these. `--single-threaded`: no V8 worker
 * threads (concurrent GC and compilation) for a process that lives a few hundred ms under a pod CPU
 * limit of 200m; it saves CPU and memory (docs/benchmarks.md). libuv's pool (fs, dns) is unaffected.
 */
export const SNAPSHOT_NODE_FLAGS = ['--single-threaded'];

/**
 * `node --single-threaded --snapshot-blob <blob> --build-snapshot <entry>`: the same command the Dockerfile runs.
 * Node's "not yet fully verified whether built-in module X works" warning fails the build: that
 * module belongs in SNAPSHOT_UNSAFE_BUILTINS or LAZY_PACKAGES.
 */
export function buildBlob({ node = process.execPath, entry, blob, env = withoutNodeVariables(process.env) }) {
  rmSync(blob, { force: true });
  const run = spawnSync(node, [...SNAPSHOT_NODE_FLAGS, '--snapshot-blob', blob, '--build-snapshot', entry], { encoding: 'utf8', env });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  if (run.status !== 0 || /Warning|not yet fully verified/.test(output)) {
    rmSync(blob, { force: true });
    throw new Error(`building the startup snapshot ${blob} failed (exit ${run.status ?? run.signal}):\n${output}`);
  }
}

/** The environment without NODE_* variables: as in the image's build stage (no NODE_EXTRA_CA_CERTS, no NODE_OPTIONS). */
export function withoutNodeVariables(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('NODE_')));
}

/**
 * The launcher: a POSIX sh script next to the blob that resolves its own directory (following a
 * symlink to itself; no fork otherwise) and execs `node` from PATH with SNAPSHOT_NODE_FLAGS and the blob. That `node` must be
 * the binary that built the blob: in the image both are node:24-alpine's; after `npm run build` it is
 * the machine's Node (Node refuses a blob from another build, with an error, rather than misbehave).
 */
export function writeLauncher(path) {
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      '# Starts the pipeline from its V8 startup snapshot, pipeline.blob next to this file.',
      '# Generated by scripts/build.mjs (see docs/benchmarks.md); the blob loads only in the Node that built it.',
      'self=$0',
      '[ -L "$self" ] && self=$(readlink -f "$self")',
      'case $self in */*) dir=${self%/*} ;; *) dir=. ;; esac',
      `exec node ${SNAPSHOT_NODE_FLAGS.join(' ')} --snapshot-blob "$dir/pipeline.blob" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
}
