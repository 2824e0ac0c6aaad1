// Bundles the pipeline into one self-contained file that runs with plain `node` (no node_modules).
import { build } from 'esbuild';

await build({
  entryPoints: ['pipeline/main.ts'],
  outfile: 'dist/pipeline.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  // cdk8s and its dependencies are CommonJS and call require() for node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
